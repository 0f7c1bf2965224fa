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

import threading
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from pulumi.runtime.proto import engine_pb2_grpc, provider_pb2, resource_pb2_grpc

from .monitor import EngineService, Monitor
from .records import STACK_TYPE, Constructor, Invocation, Registration
from .values import OutputValue, to_struct

__all__ = ["STACK_TYPE", "FakeEngine", "Invocation", "Registration", "dependencies_of"]


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
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(Monitor(self), server)
        engine_pb2_grpc.add_EngineServicer_to_server(EngineService(self), server)
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
