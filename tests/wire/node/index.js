"use strict";
// A consumer's program: its own providers, passwords from secret config, both components.
const pulumi = require("@pulumi/pulumi");
const { GitpodImageRegistries, S3WorkspaceImages } = require("./gitpodRegistry");

const config = new pulumi.Config();
const kube = new pulumi.ProviderResource("kubernetes", "gitpod-cluster", { context: "prod-eu" });
const aws = new pulumi.ProviderResource("aws", "registry-account", { region: "eu-west-1" });

const registries = new GitpodImageRegistries("gitpod", {
    clusterName: "prod-eu",
    namespace: "gitpod",
    workspaceImages: {
        backend: config.get("backend") || "external",
        url: "registry.example.com/gitpod",
        username: "pusher",
        password: config.requireSecret("pushPassword"),
    },
    componentRepository: "mirror.example.com/gitpod",
    componentUsername: "mirror-bot",
    componentPassword: config.requireSecret("mirrorPassword"),
}, { providers: [kube, aws] });

const images = new S3WorkspaceImages("images", {
    clusterName: "prod-eu",
    namespace: "gitpod",
    region: "eu-west-1",
    keyGeneration: 2,
    keepPreviousKey: true,
}, { providers: { aws: aws, kubernetes: kube } });

module.exports = {
    installerConfigYaml: registries.installerConfigYaml,
    workspaceImagesSecret: registries.workspaceImagesSecret,
    bucketName: images.bucketName,
    s3storage: images.s3storage,
};
