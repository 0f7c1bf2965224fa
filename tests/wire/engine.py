"""A recording stand-in for the Pulumi engine's gRPC side: the resource monitor and the Engine service.

It answers as `pkg/resource/deploy/source_eval.go` (the engine's `resmon`) does, closely enough for
a provider or a Node.js program to run against it:
- GetDeploymentInfo and SupportsFeature report the engine's features (`supportedMonitorFeatures`,
  `supportsFeatureID`);
- RegisterResource gives URNs as the engine builds them; custom resources get an id and outputs
  (their inputs plus what offline/mocks.py computes), secret where the input was secret or the SDK
  asked (`additionalSecretOutputs`);
- a component registered with `remote: true` is routed to its package's plugin as Construct, its
  inputs upgraded as the engine upgrades them (secrets become output values), and a failed
  Construct is reported the way the engine's `errorToMessage` renders it;
- Invoke answers the builtin getResource (rehydrating a resource reference) and, for the clouds,
  what offline/mocks.py answers (getCallerIdentity: the mocks' account).
Every request is recorded for the tests to assert on. Nothing here talks to a cloud.
"""

from __future__ import annotations

import re
import threading
from concurrent import futures
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Protocol

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    errors_pb2,
    provider_pb2,
    resource_pb2,
    resource_pb2_grpc,
    status_pb2,
)

from offline.mocks import RegistryMocks

from .values import OutputValue, Secret, from_struct, is_secret, reveal, to_struct, upgrade_secrets

STACK_TYPE = "pulumi:pulumi:Stack"
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


class Constructor(Protocol):
    """What the engine needs of a started, configured component plugin."""

    def construct(self, request: provider_pb2.ConstructRequest) -> provider_pb2.ConstructResponse: ...


@dataclass
class Registration:
    """One RegisterResource call, as the monitor received it and as it answered."""

    type: str
    name: str
    urn: str
    parent: str | None
    custom: bool
    remote: bool
    provider: str | None
    providers: dict[str, str]
    inputs: dict[str, Any]
    property_dependencies: dict[str, list[str]]
    dependencies: list[str]
    protect: bool
    additional_secret_outputs: list[str]
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Invocation:
    token: str
    args: dict[str, Any]
    provider: str


@dataclass
class FakeEngine:
    project: str = "consumer"
    stack: str = "dev"
    organization: str = "organization"
    config: dict[str, str] = field(default_factory=dict)
    config_secret_keys: list[str] = field(default_factory=list)
    dry_run: bool = False
    plugins: dict[str, Constructor] = field(default_factory=dict)
    """Configured component plugins by package name, for `remote: true` registrations."""

    registrations: list[Registration] = field(default_factory=list)
    resource_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    invocations: list[Invocation] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    constructs: list[provider_pb2.ConstructRequest] = field(default_factory=list)
    """The Construct calls made for `remote: true` registrations, as sent to the plugin."""
    diagnostics: list[str] = field(default_factory=list)
    """Errors the engine would print against a resource (a failed Construct)."""
    root_resource: str = ""
    address: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        # Set when a Construct fails: the engine then aborts the deployment (source_eval.go, abortChan)
        # and cancels the program's Run, which the language host turns into an interrupt.
        self.aborted = threading.Event()
        self._server: grpc.Server | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> FakeEngine:
        # Construct blocks one worker while the provider registers its children through others.
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(_Monitor(self), server)
        engine_pb2_grpc.add_EngineServicer_to_server(_Engine(self), server)
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self._server, self.address = server, f"127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(grace=None)

    def __enter__(self) -> FakeEngine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests ask ----------------------------------------------------------------------------

    def urn(self, type_: str, name: str, parent: str | None = None) -> str:
        """The URN the engine gives `name` of `type_` under `parent` (resource.NewURN)."""
        qualified = type_
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                qualified = f"{parent_type}${type_}"
        return f"urn:pulumi:{self.stack}::{self.project}::{qualified}::{name}"

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str) -> Registration:
        found = self.of_type(type_)
        assert len(found) == 1, f"expected one {type_}, got {[r.urn for r in found]}"
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        return next(r for r in self.registrations if r.urn == urn)

    def descendants(self, urn: str) -> list[Registration]:
        children = [r for r in self.registrations if r.parent == urn]
        return children + [d for c in children for d in self.descendants(c.urn)]

    def register_stack(self) -> str:
        """Registers the consumer's root stack resource, as every program does first."""
        name = f"{self.project}-{self.stack}"
        self.root_resource = self.urn(STACK_TYPE, name)
        self._record(
            Registration(STACK_TYPE, name, self.root_resource, None, False, False, None, {}, {}, {}, [], False, [])
        )
        return self.root_resource

    def register_custom(self, type_: str, name: str, inputs: dict[str, Any], parent: str) -> Registration:
        """A resource the consumer's program registered itself (not through the package)."""
        reg = Registration(
            type_, name, self.urn(type_, name, parent), parent, True, False, None, {}, inputs, {}, [], False, []
        )
        reg.id, reg.outputs = f"{name}-id", dict(inputs)
        self._record(reg)
        return reg

    def register_provider(self, package: str, name: str, inputs: dict[str, Any], parent: str) -> str:
        """A provider resource the consumer declared; returns its reference, URN::ID."""
        reg = self.register_custom(f"pulumi:providers:{package}", name, inputs, parent)
        return f"{reg.urn}::{reg.id}"

    def _record(self, registration: Registration) -> None:
        with self._lock:
            assert all(r.urn != registration.urn for r in self.registrations), f"duplicate URN {registration.urn}"
            self.registrations.append(registration)

    def construct_request(
        self,
        type_: str,
        name: str,
        inputs: dict[str, Any],
        parent: str,
        providers: dict[str, str] | None = None,
        dependencies: list[str] | None = None,
        input_dependencies: dict[str, list[str]] | None = None,
    ) -> provider_pb2.ConstructRequest:
        """The Construct call the engine makes for a remote component (provider_plugin.go, Construct).

        `inputs` are as the engine holds them: secrets already output values. Without explicit
        `input_dependencies`, each input depends on the resources its output values came from, as
        the consumer's SDK reports them (propertyDependencies).
        """
        if input_dependencies is None:
            input_dependencies = {k: deps for k, v in inputs.items() if (deps := dependencies_of(v))}
        return provider_pb2.ConstructRequest(
            project=self.project,
            stack=self.stack,
            organization=self.organization,
            config=self.config,
            configSecretKeys=self.config_secret_keys,
            dryRun=self.dry_run,
            parallel=16,
            monitorEndpoint=self.address,
            type=type_,
            name=name,
            parent=parent,
            inputs=to_struct(inputs),
            providers=providers or {},
            inputDependencies={
                k: provider_pb2.ConstructRequest.PropertyDependencies(urns=urns)
                for k, urns in input_dependencies.items()
            },
            dependencies=dependencies or [],
            accepts_output_values=True,
        )


def dependencies_of(value: Any) -> list[str]:
    """The URNs of the resources every output value inside `value` came from."""
    if isinstance(value, OutputValue):
        return sorted({*value.dependencies, *dependencies_of(value.value)})
    if isinstance(value, dict):
        return sorted({urn for v in value.values() for urn in dependencies_of(v)})
    if isinstance(value, list):
        return sorted({urn for v in value for urn in dependencies_of(v)})
    return []


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
    return "[secret]" if is_secret(value) else str(reveal(value))


class _Engine(engine_pb2_grpc.EngineServicer):
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


class _Monitor(resource_pb2_grpc.ResourceMonitorServicer):
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
        result = self.mocks.call(SimpleNamespace(token=request.tok, args=reveal(args), provider=request.provider))
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
        outputs.update({k: v for k, v in state.items() if k not in inputs})
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
