"""A repository path leaves room for what Gitpod adds to it: image-builder pushes to `<url>/workspace-images`,
and the installer names images under a mirror (`<mirror>/gitpod/workspace-full`). Each name must stay within
distribution/reference's 255 characters, so a path that only fits on its own is refused, naming its key."""

from __future__ import annotations

import pytest

from components.installer_config import PUSHED_REPOSITORIES, installer_default_workspace_image
from components.reference import REPOSITORY_PATH_MAX
from conftest import run, run_invalid

WS, MIRROR, AIR_GAP = "gitpod-registry:workspaceImages", "gitpod-registry:componentImages", "gitpod-registry:airGap"
LOGIN = {"username": "robot", "password": "Pw-push-1234"}
PUSH_ROOM = REPOSITORY_PATH_MAX - 1 - max(len(name) for name in PUSHED_REPOSITORIES)


def path(length: int) -> str:
    return "gitpod/" + "a" * (length - len("gitpod/"))


def mirror_room(drop_image_repo: bool) -> int:
    image = installer_default_workspace_image("m.example.com/x", drop_image_repo).rsplit(":", 1)[0]
    return REPOSITORY_PATH_MAX - len(image.removeprefix("m.example.com/x/")) - 1


def test_a_push_path_leaves_room_for_the_repositories_image_builder_pushes_to():
    def config(length: int) -> dict:
        return {WS: {"backend": "external", "url": f"r.example.com/{path(length)}", **LOGIN}}

    evaluation = run("dev", config(PUSH_ROOM))
    pushed = evaluation.outputs["installerConfig"]["containerRegistry"]["external"]["url"]
    assert max(len(f"{pushed.split('/', 1)[1]}/{name}") for name in PUSHED_REPOSITORIES) == REPOSITORY_PATH_MAX
    message = run_invalid(config(PUSH_ROOM + 1))
    assert f"{WS}.url: " in message and f"keep the path within {PUSH_ROOM}" in message, message


def test_an_air_gap_registry_leaves_room_for_what_is_pushed_and_mirrored_under_it():
    """The air-gap registry is the push URL and the component mirror: the tighter room applies."""
    room = min(PUSH_ROOM, mirror_room(drop_image_repo=False))

    def config(length: int) -> dict:
        return {AIR_GAP: {"registry": f"r.example.com/{path(length)}", **LOGIN}}

    evaluation = run("dev", config(room))
    image = evaluation.outputs["installerConfig"]["workspace"]["workspaceImage"].rsplit(":", 1)[0]
    assert len(image.split("/", 1)[1]) == REPOSITORY_PATH_MAX
    message = run_invalid(config(room + 1))
    assert f"{AIR_GAP}.registry: " in message and f"keep the path within {room}" in message, message


def test_a_base_image_too_long_for_the_air_gap_mirror_is_refused_naming_it():
    image = f"quay.io/{path(REPOSITORY_PATH_MAX - len('gitpod'))}:1"
    message = run_invalid(
        {
            AIR_GAP: {"registry": "r.example.com/gitpod", **LOGIN},
            "gitpod-registry:baseImages": {"workspaceImage": image},
        }
    )
    assert "gitpod-registry:baseImages.workspaceImage: " in message and "in the mirror" in message, message


@pytest.mark.parametrize("drop_image_repo", [False, True])
def test_a_mirror_path_leaves_room_for_the_images_the_installer_names_under_it(drop_image_repo):
    def config(length: int) -> dict:
        mirror = {"repository": f"m.example.com/{path(length)}", "dropImageRepo": drop_image_repo, **LOGIN}
        return {WS: {"backend": "external", "url": "r.example.com/gitpod", **LOGIN}, MIRROR: mirror}

    room = mirror_room(drop_image_repo)
    assert run("dev", config(room)).error is None
    message = run_invalid(config(room + 1))
    assert f"{MIRROR}.repository: " in message and f"keep the path within {room}" in message, message
