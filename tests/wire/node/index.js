"use strict";
// A consumer's program: its own providers, passwords from secret config, both components. Their
// arguments come from inputs.json, which the test writes from tests/wire/inputs.py, so the argument
// shapes live in one place; {"secretConfig": KEY} there means config.requireSecret(KEY) here.
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { GitpodImageRegistries, S3WorkspaceImages } = require("./gitpodRegistry");

const config = new pulumi.Config();
const args = JSON.parse(fs.readFileSync(path.join(__dirname, "inputs.json"), "utf8"));

function withSecrets(value) {
    if (Array.isArray(value)) {
        return value.map(withSecrets);
    }
    if (value !== null && typeof value === "object") {
        if (Object.keys(value).length === 1 && typeof value.secretConfig === "string") {
            return config.requireSecret(value.secretConfig);
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSecrets(v)]));
    }
    return value;
}

const kube = new pulumi.ProviderResource("kubernetes", "gitpod-cluster", { context: "prod-eu" });
const aws = new pulumi.ProviderResource("aws", "registry-account", { region: "eu-west-1" });

const registries = new GitpodImageRegistries("gitpod", withSecrets(args.gitpod), { providers: [kube, aws] });
const images = new S3WorkspaceImages("images", withSecrets(args.images), { providers: { aws: aws, kubernetes: kube } });

module.exports = {
    installerConfigYaml: registries.installerConfigYaml,
    workspaceImagesSecret: registries.workspaceImagesSecret,
    bucketName: images.bucketName,
    s3storage: images.s3storage,
};
