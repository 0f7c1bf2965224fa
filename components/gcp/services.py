"""A Google API the program turns on in a project and leaves on."""

import pulumi
import pulumi_gcp as gcp


def enabled_service(name: str, project: str, service: str, opts: pulumi.ResourceOptions) -> gcp.projects.Service:
    """`service` enabled in `project`. Never switched off at destroy, nor the services that depend on it: other
    workloads in the project may use them."""
    return gcp.projects.Service(
        name,
        project=project,
        service=service,
        disable_on_destroy=False,
        disable_dependent_services=False,
        opts=opts,
    )
