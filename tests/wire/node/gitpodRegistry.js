"use strict";
// What `pulumi package add` generates for the two components this program uses, written out by hand
// (the generator is in the Pulumi CLI, which this test does not have): remote components whose
// secret inputs are wrapped with pulumi.secret, and whose outputs start undefined and are filled in
// from the engine's answer to the Construct call. Compare the generator's own output in
// pulumi/pulumi tests/testdata/codegen/*/nodejs/*.ts (`super(..., opts, true /*remote*/)`).
const pulumi = require("@pulumi/pulumi");

class GitpodImageRegistries extends pulumi.ComponentResource {
    constructor(name, args, opts) {
        const resourceInputs = {};
        opts = opts || {};
        for (const key of ["clusterName", "namespace"]) {
            if (args?.[key] === undefined && !opts.urn) {
                throw new Error(`Missing required property '${key}'`);
            }
        }
        for (const key of [
            "clusterName", "namespace", "workspaceImages", "protectData", "componentRepository",
            "componentUsername", "dropImageRepo", "workspaceImage", "baseImageRegistries", "airGap",
        ]) {
            resourceInputs[key] = args?.[key];
        }
        resourceInputs["componentPassword"] = args?.componentPassword ? pulumi.secret(args.componentPassword) : undefined;
        resourceInputs["installerConfig"] = undefined /*out*/;
        resourceInputs["installerConfigYaml"] = undefined /*out*/;
        resourceInputs["workspaceImagesSecret"] = undefined /*out*/;
        super("gitpod-registry:index:GitpodImageRegistries", name, resourceInputs, opts, true /*remote*/);
    }
}

class S3WorkspaceImages extends pulumi.ComponentResource {
    constructor(name, args, opts) {
        const resourceInputs = {};
        opts = opts || {};
        for (const key of ["clusterName", "namespace", "region"]) {
            if (args?.[key] === undefined && !opts.urn) {
                throw new Error(`Missing required property '${key}'`);
            }
        }
        for (const key of [
            "clusterName", "namespace", "region", "existingBucket", "protectData", "keyGeneration",
            "keepPreviousKey", "secretName",
        ]) {
            resourceInputs[key] = args?.[key];
        }
        for (const key of ["bucketName", "bucketArn", "userName", "secretName", "s3storage"]) {
            if (!(key in resourceInputs) || resourceInputs[key] === undefined) {
                resourceInputs[key] = undefined /*out*/;
            }
        }
        super("gitpod-registry:index:S3WorkspaceImages", name, resourceInputs, opts, true /*remote*/);
    }
}

module.exports = { GitpodImageRegistries, S3WorkspaceImages };
