"""The policy pack as the CLI runs it (`python -u -m pulumi.policy <engine> <pack dir>` in the pack's
directory, its own virtualenv), checked over the Analyzer gRPC protocol with the plan's resources,
marshalled as the engine marshals them (secrets kept, sdk/go/common/resource/plugin/analyzer_plugin.go).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from offline import engine as offline
from policy.policies import POLICIES

from .engine import FakeEngine
from .plugin import start_policy_pack
from .values import Secret, to_struct

PROJECT = "gitpod-registry"


@pytest.fixture(scope="module")
def analyzer(policy_pack) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    stack = {
        "PULUMI_PROJECT": PROJECT,
        "PULUMI_STACK": "dev",
        "PULUMI_ORGANIZATION": "organization",
        "PULUMI_DRY_RUN": "true",
        "PULUMI_CONFIG": json.dumps({}),
    }
    with FakeEngine(project=PROJECT) as engine:
        process = start_policy_pack(policy_pack.python, policy_pack.plugin_dir, engine.address, stack)
        try:
            stub = analyzer_pb2_grpc.AnalyzerStub(process.channel)
            try:
                stub.ConfigureStack(
                    analyzer_pb2.AnalyzerStackConfigureRequest(
                        stack="dev", project=PROJECT, organization="organization"
                    ),
                    timeout=30,
                )
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.UNIMPLEMENTED, error
            yield stub
        finally:
            process.close()
            assert "Traceback" not in process.printed, process.printed


def _engine_value(value: Any) -> Any:
    if isinstance(value, offline.Secret):
        return Secret(_engine_value(value.value))
    if isinstance(value, dict):
        return {k: _engine_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_engine_value(v) for v in value]
    return value


def analyzer_resource(resource: offline.Resource) -> analyzer_pb2.AnalyzerResource:
    return analyzer_pb2.AnalyzerResource(
        type=resource.type,
        properties=to_struct(_engine_value(resource.inputs)),
        urn=resource.urn,
        name=resource.name,
        options=analyzer_pb2.AnalyzerResourceOptions(protect=resource.protect),
        parent=resource.parent or "",
        dependencies=resource.dependencies,
    )


def diagnostics(stub, resources: list[offline.Resource]) -> list[analyzer_pb2.AnalyzeDiagnostic]:
    """What the engine collects in a preview: Analyze for each resource, then AnalyzeStack."""
    found = []
    for resource in resources:
        request = analyzer_resource(resource)
        found += stub.Analyze(
            analyzer_pb2.AnalyzeRequest(
                type=request.type,
                properties=request.properties,
                urn=request.urn,
                name=request.name,
                options=request.options,
            ),
            timeout=60,
        ).diagnostics
    stack = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_resource(r) for r in resources])
    return found + list(stub.AnalyzeStack(stack, timeout=60).diagnostics)


def test_the_pack_serves_every_policy(analyzer):
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    assert info.name == "gitpod-registry"
    assert [p.name for p in info.policies] == [p.name for p in POLICIES]


@pytest.mark.parametrize("stack", offline.example_stacks())
def test_every_example_stacks_plan_passes_over_the_analyzer_protocol(analyzer, stack):
    evaluation = offline.evaluate(stack)
    assert evaluation.error is None, evaluation.error
    found = diagnostics(analyzer, evaluation.resources)
    assert [(d.policyName, d.message) for d in found] == []


def test_a_plan_with_protect_data_off_is_refused_over_the_analyzer_protocol(analyzer):
    evaluation = offline.evaluate("dev", {"gitpod-registry:protectData": False})
    assert evaluation.error is None, evaluation.error
    bucket = evaluation.one("aws:s3/bucket:Bucket")
    found = diagnostics(analyzer, evaluation.resources)
    assert [d.policyName for d in found] == ["data-resources-protected"]
    (diagnostic,) = found
    assert bucket.name in diagnostic.message
    assert analyzer_pb2.EnforcementLevel.Name(diagnostic.enforcementLevel) == "MANDATORY"
