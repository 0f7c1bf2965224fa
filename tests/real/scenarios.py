"""Program configurations whose `.dockerconfigjson` secrets the real-software tests use, with what each meant.

They are the runtime scenarios of tests/gitpod_runtime.py: for each, the login a secret must hold for a
host is the one the configuration meant for that host, wherever a Gitpod reader of that secret pulls or
pushes there (the kubelet, registry-facade, blobserve, ide-service, image-builder).
"""

from __future__ import annotations

from dataclasses import dataclass

from gitpod_runtime import INSTALLER, RUNTIME_SCENARIOS, Pull, RuntimeScenario, intended_logins, runtime_pulls
from offline.engine import Evaluation

WORKSPACE_SECRET = "gitpod-registry-workspace-images"
COMPONENT_SECRET = "gitpod-registry-component-images"

Intended = dict[tuple[str, str], tuple[str, str]]
"""(secret name, registry host) -> (username, password) the program meant."""


@dataclass(frozen=True)
class ProgramScenario:
    runtime: RuntimeScenario

    @property
    def id(self) -> str:
        return self.runtime.id

    def evaluate(self) -> Evaluation:
        return self.runtime.evaluate()

    def reads(self, evaluation: Evaluation) -> list[tuple[Pull, str, tuple[str, str]]]:
        """(pull, the program's secret its reader logs in with, the login meant for its host), one per
        reader, secret and host: what the real-software tests pull through a registry."""
        logins = intended_logins(self.runtime.full_config(), evaluation)
        seen, found = set(), []
        for pull in runtime_pulls(evaluation.outputs["installerConfig"], self.runtime.user_base_images):
            login = logins.get(pull.host)
            if login is None or login == INSTALLER:
                continue
            for secret in pull.secrets:
                if (pull.reader, secret, pull.host) not in seen:
                    seen.add((pull.reader, secret, pull.host))
                    found.append((pull, secret, login))
        return found

    def intended(self, evaluation: Evaluation) -> Intended:
        return {(secret, pull.host): login for pull, secret, login in self.reads(evaluation)}


PROGRAM_SCENARIOS = [ProgramScenario(scenario) for scenario in RUNTIME_SCENARIOS]
