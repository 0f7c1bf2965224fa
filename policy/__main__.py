"""The gitpod-registry policy pack: `pulumi preview --policy-pack policy` from a project using the components."""

from pulumi_policy import PolicyPack

from policies import POLICIES

PolicyPack(name="gitpod-registry", policies=POLICIES)
