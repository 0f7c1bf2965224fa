"""The registry image-builder pushes to, given as a URL and a login: checked the same way wherever one is given
(a backend's `url`, `username` and `password`; the air gap's `registry`, `username` and `password`)."""

from . import validation
from .aws.ecr import is_ecr_host, static_login_refusal
from .installer_config import PUSHED_REPOSITORIES
from .kubernetes.dockerconfig import PasswordInput, RegistryCredential, check_password, check_username, registry_host
from .reference import ReferenceError, check_room, parse_name
from .validation import InvalidInput


def check_url(field: str, url: object) -> str:
    """A registry URL as Gitpod wants it: host[:port][/path], no scheme, not ECR; a trailing '/' is dropped."""
    if url is None or url == "":
        raise InvalidInput(field, "required; the registry host and path to push to, e.g. registry.example.com/gitpod")
    url = validation.require_type(field, url, str, "a registry host and path such as registry.example.com/gitpod")
    try:
        name = parse_name(url.removesuffix("/"), host_required=True)
        # image-builder pushes to `<url>/base-images` and `<url>/workspace-images` (image-builder-mk3/configmap.go).
        check_room(name.path or "", max(PUSHED_REPOSITORIES, key=len))
    except ReferenceError as error:
        raise InvalidInput(field, f"{validation.describe(url)} {error}") from None
    if is_ecr_host(name.key):
        raise InvalidInput(field, f"{validation.describe(url)} {static_login_refusal(name.key)}")
    return f"{name.key}/{name.path}" if name.path else name.key


def check_push(
    url: tuple[str, object], username: tuple[str, object], password: tuple[str, object]
) -> tuple[str, RegistryCredential]:
    """The push URL and its login, each given with its path: (path, value)."""
    checked_url = check_url(*url)
    return checked_url, push_login(url[0], checked_url, check_username(*username), check_password(*password))


def push_login(url_path: str, url: str, username: str, password: PasswordInput) -> RegistryCredential:
    """The login for a checked push URL (given at `url_path`), keyed by its host."""
    return {"server": registry_host(url_path, url), "username": username, "password": password}
