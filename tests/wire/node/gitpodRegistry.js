"use strict";
// What `pulumi package add` generates for the two components this program uses, written out by hand
// (the generator is part of the Pulumi CLI, which the tests do not have): remote components whose
// top-level secret inputs are wrapped with pulumi.secret, and whose outputs start undefined and are
// filled in from the engine's answer to the Construct call. Compare the generator's own output in
// pulumi/pulumi tests/testdata/codegen/*/nodejs/*.ts (`super(..., opts, true /*remote*/)`).
const pulumi = require("@pulumi/pulumi");

function remoteInputs(args, opts, required, secrets, outputs) {
    const resourceInputs = {};
    for (const key of required) {
        if (args?.[key] === undefined && !opts.urn) {
            throw new Error(`Missing required property '${key}'`);
        }
    }
    for (const [key, value] of Object.entries(args || {})) {
        resourceInputs[key] = secrets.includes(key) && value ? pulumi.secret(value) : value;
    }
    for (const key of outputs) {
        if (resourceInputs[key] === undefined) {
            resourceInputs[key] = undefined /*out*/;
        }
    }
    return resourceInputs;
}

class GitpodImageRegistries extends pulumi.ComponentResource {
    constructor(name, args, opts) {
        opts = opts || {};
        const resourceInputs = remoteInputs(args, opts, ["clusterName"], [],
            ["installerConfig", "installerConfigYaml", "workspaceImagesSecret"]);
        super("gitpod-registry:index:GitpodImageRegistries", name, resourceInputs, opts, true /*remote*/);
    }
}

class S3WorkspaceImages extends pulumi.ComponentResource {
    constructor(name, args, opts) {
        opts = opts || {};
        const resourceInputs = remoteInputs(args, opts, ["clusterName", "namespace", "region"], [],
            ["bucketName", "bucketArn", "userName", "secretName", "s3storage"]);
        super("gitpod-registry:index:S3WorkspaceImages", name, resourceInputs, opts, true /*remote*/);
    }
}

module.exports = { GitpodImageRegistries, S3WorkspaceImages };
