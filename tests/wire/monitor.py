"""The test engine's gRPC services: the resource monitor and the Engine service (logs, root resource).

They answer as the engine's `resmon` (pkg/resource/deploy/source_eval.go) does; see engine.py.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, errors_pb2, resource_pb2, resource_pb2_grpc, status_pb2

from offline.mocks import RegistryMocks

from .records import STACK_TYPE, Invocation, Registration
from .values import OutputValue, Secret, from_struct, is_secret, reveal, to_struct, upgrade_secrets

if TYPE_CHECKING:
    from .engine import FakeEngine

# The string features the engine says yes to (source_eval.go, supportsFeatureID) ...
FEATURES = {
    "secrets",
    "resourceReferences",
    "outputValues",
    "aliasSpecs",
    "replacementTrigger",
    "deletedWith",
    "replaceWith",
    "transforms",
    "invokeTransforms",
    "parameterization",
    "resourceHooks",
    "errorHooks",
    "sendsOptionsToHooks",
}
# ... and the enum list it reports in DeploymentInfo (supportedMonitorFeatures).
_F = resource_pb2.ResourceMonitorFeature
MONITOR_FEATURES = [
    _F.RESOURCE_MONITOR_FEATURE_SECRETS,
    _F.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
    _F.RESOURCE_MONITOR_FEATURE_OUTPUT_VALUES,
    _F.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
    _F.RESOURCE_MONITOR_FEATURE_REPLACEMENT_TRIGGER,
    _F.RESOURCE_MONITOR_FEATURE_DELETED_WITH,
    _F.RESOURCE_MONITOR_FEATURE_REPLACE_WITH,
    _F.RESOURCE_MONITOR_FEATURE_TRANSFORMS,
    _F.RESOURCE_MONITOR_FEATURE_INVOKE_TRANSFORMS,
    _F.RESOURCE_MONITOR_FEATURE_PARAMETERIZATION,
    _F.RESOURCE_MONITOR_FEATURE_RESOURCE_HOOKS,
    _F.RESOURCE_MONITOR_FEATURE_ERROR_HOOKS,
    _F.RESOURCE_MONITOR_FEATURE_SENDS_OPTIONS_TO_HOOKS,
    _F.RESOURCE_MONITOR_FEATURE_BYTE_STRING,
    _F.RESOURCE_MONITOR_FEATURE_INVOKE_DEPENDS_ON,
    _F.RESOURCE_MONITOR_FEATURE_INVOKE_PARENT,
]


def error_to_message(error: grpc.RpcError, inputs: dict[str, Any]) -> str:
    """A failed Construct as the engine prints it (source_eval.go, errorToMessage)."""
    message = error.details() or ""
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            problems = errors_pb2.InputPropertiesError()
            if not detail.Unpack(problems):
                continue
            for problem in problems.errors:
                found, at = _lookup(inputs, problem.property_path)
                shown = f" with value '{_shown(at)}'" if found else ""
                message += f"\n\t\t- property {problem.property_path}{shown} has a problem: {problem.reason}"
    return message


def _lookup(inputs: Any, path: str) -> tuple[bool, Any]:
    value = inputs
    for part in re.findall(r"[^.\[\]]+", path):
        if isinstance(value, OutputValue):
            value = value.value
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return False, None
    return True, value


def _shown(value: Any) -> str:
    """The value as the engine's `%v` prints it: PropertyValue.String shows a secret's plain text."""
    return str(reveal(value))


class EngineService(engine_pb2_grpc.EngineServicer):
    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine

    def Log(self, request, context):
        self.engine.logs.append(f"{engine_pb2.LogSeverity.Name(request.severity)}: {request.message}")
        return empty_pb2.Empty()

    def GetRootResource(self, request, context):
        return engine_pb2.GetRootResourceResponse(urn=self.engine.root_resource)

    def SetRootResource(self, request, context):
        self.engine.root_resource = request.urn
        return engine_pb2.SetRootResourceResponse()


class Monitor(resource_pb2_grpc.ResourceMonitorServicer):
    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine
        self.mocks = RegistryMocks()

    def GetDeploymentInfo(self, request, context):
        e = self.engine
        return resource_pb2.DeploymentInfo(
            project=e.project,
            stack=e.stack,
            organization=e.organization,
            config=e.config,
            configSecretKeys=e.config_secret_keys,
            dryRun=e.dry_run,
            parallel=16,
            supportedFeatures=MONITOR_FEATURES,
        )

    def SupportsFeature(self, request, context):
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id in FEATURES)

    def SignalAndWaitForShutdown(self, request, context):
        return empty_pb2.Empty()

    def Invoke(self, request, context):
        args = from_struct(request.args)
        self.engine.invocations.append(Invocation(request.tok, args, request.provider))
        if request.tok == "pulumi:pulumi:getResource":
            return resource_pb2.ResourceInvokeResponse(**{"return": to_struct(self._get_resource(args["urn"]))})
        result, _ = self.mocks.call(SimpleNamespace(token=request.tok, args=reveal(args), provider=request.provider))
        return resource_pb2.ResourceInvokeResponse(**{"return": to_struct(result)})

    def _get_resource(self, urn: str) -> dict[str, Any]:
        """The engine's builtin getResource (pkg/resource/deploy/builtins.go): how a provider
        rehydrates a resource it was handed by reference, e.g. the consumer's providers."""
        found = self.engine.by_urn(urn)
        return {"urn": urn, "id": found.id, "provider": found.provider or "", "state": found.outputs}

    def RegisterResourceOutputs(self, request, context):
        self.engine.resource_outputs[request.urn] = from_struct(request.outputs)
        return empty_pb2.Empty()

    def RegisterResource(self, request, context):
        if request.remote:
            return self._construct(request, context)
        inputs = from_struct(request.object)
        urn = self.engine.urn(request.type, request.name, request.parent or None)
        reg = Registration(
            type=request.type,
            name=request.name,
            urn=urn,
            parent=request.parent or None,
            custom=request.custom,
            remote=False,
            provider=request.provider or None,
            providers=dict(request.providers),
            inputs=inputs,
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            dependencies=list(request.dependencies),
            protect=request.protect,
            additional_secret_outputs=list(request.additionalSecretOutputs),
        )
        if request.custom:
            reg.id, reg.outputs = self._create(request.type, request.name, inputs, reg.additional_secret_outputs)
        else:
            reg.outputs = inputs  # a component's state is its inputs until it registers outputs
        self.engine._record(reg)
        if request.type == STACK_TYPE and not self.engine.root_resource:
            self.engine.root_resource = urn
        return resource_pb2.RegisterResourceResponse(urn=urn, id=reg.id, object=to_struct(reg.outputs))

    def _create(self, type_: str, name: str, inputs: dict, secret_outputs: list[str]) -> tuple[str, dict]:
        """The id and outputs a provider's Create would give: inputs kept (secret stays secret), plus computed ones."""
        args = SimpleNamespace(typ=type_, name=name, inputs=reveal(inputs), provider="", id=None, custom=True)
        resource_id, state = self.mocks.new_resource(args)
        outputs = dict(inputs)
        for key, value in state.items():  # what the provider computes wins over the input it was given
            if key not in inputs or reveal(inputs[key]) != value:
                outputs[key] = Secret(value) if key in inputs and is_secret(inputs[key]) else value
        for key in secret_outputs:
            if key in outputs and not is_secret(outputs[key]):
                outputs[key] = Secret(outputs[key])
        return resource_id, outputs

    def _construct(self, request, context):
        package = request.type.split(":")[0]
        plugin = self.engine.plugins.get(package)
        if plugin is None:
            context.abort(grpc.StatusCode.UNKNOWN, f"no plugin for package {package}")
        construct = self.engine.construct_request(
            request.type,
            request.name,
            # The engine unmarshals a remote component's inputs with UpgradeToOutputValues (rpc.go).
            upgrade_secrets(from_struct(request.object)),
            request.parent,
            dict(request.providers),
            list(request.dependencies),
            {k: list(v.urns) for k, v in request.propertyDependencies.items()},
        )
        self.engine.constructs.append(construct)
        try:
            response = plugin.construct(construct)
        except grpc.RpcError as error:
            inputs = from_struct(construct.inputs)
            self.engine.diagnostics.append(
                f"{request.type} resource '{request.name}': {error_to_message(error, inputs)}"
            )
            self.engine.aborted.set()
            context.abort(grpc.StatusCode.UNKNOWN, "resource monitor shut down")
        return resource_pb2.RegisterResourceResponse(
            urn=response.urn,
            object=response.state,
            propertyDependencies={
                k: resource_pb2.RegisterResourceResponse.PropertyDependencies(urns=list(v.urns))
                for k, v in response.stateDependencies.items()
            },
        )
