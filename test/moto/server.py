#!/usr/bin/env python3
"""moto 5.2.1 server with the patches the Terraform AWS provider (5.100.0)
needs to apply, re-plan without changes and destroy an ECS environment.

Usage: python3 test/moto/server.py [-H 127.0.0.1] [-p 5000]

Every patch is a small, targeted monkey-patch applied before the server
starts; each one is listed (with the gap it fills) in test/README.md.
Run with --list-patches to print them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from datetime import datetime
from typing import Any, Callable

# Comma-separated patch names to skip (to see a gap for yourself), e.g.
# MOTO_PATCHES_DISABLE=ecs-service-fields,appautoscaling-tags
DISABLED = {p.strip() for p in os.environ.get("MOTO_PATCHES_DISABLE", "").split(",") if p.strip()}

# Gap 1: AWS-managed IAM policies (AmazonECSTaskExecutionRolePolicy, ...) are
# only loaded when this is set before moto is imported.
if "iam-managed-policies" not in DISABLED:
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"

import moto  # noqa: E402

EXPECTED_MOTO = "5.2.1"
PATCHES: list[str] = []


def patch(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(fn: Callable[[], None]) -> Callable[[], None]:
        if name in DISABLED:
            PATCHES.append(f"{name}: DISABLED")
            return fn
        fn()
        PATCHES.append(f"{name}: {(fn.__doc__ or '').strip().splitlines()[0]}")
        return fn

    return register


def _epoch(value: Any) -> Any:
    """ISO-8601 string (or datetime) -> epoch seconds; other values unchanged."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return value
    return value


# --------------------------------------------------------------------- IAM


@patch("iam-managed-policies")
def _iam_managed_policies() -> None:
    """AWS-managed IAM policies exist (MOTO_IAM_LOAD_MANAGED_POLICIES=true before import)."""
    from moto import settings

    if not settings.load_iam_aws_managed_policies():  # pragma: no cover
        raise RuntimeError("MOTO_IAM_LOAD_MANAGED_POLICIES was not honoured")


# ------------------------------------------------ Application Auto Scaling


@patch("appautoscaling-tags")
def _appautoscaling_tags() -> None:
    """Application Auto Scaling ListTagsForResource/TagResource/UntagResource, and tags given at RegisterScalableTarget."""
    from moto.applicationautoscaling import models as aas_models
    from moto.applicationautoscaling.exceptions import AWSValidationException
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
    from moto.core.exceptions import JsonRESTError

    class ResourceNotFoundException(JsonRESTError):
        def __init__(self, message: str) -> None:
            super().__init__("ResourceNotFoundException", message)

    backend_cls = aas_models.ApplicationAutoscalingBackend

    def _tags(self: Any) -> dict[str, dict[str, str]]:
        if not hasattr(self, "_resource_tags"):
            self._resource_tags = {}
        return self._resource_tags

    def _known_arns(self: Any) -> set[str]:
        arns = {t.arn for d in self.targets.values() for t in d.values()}
        return arns

    def _check(self: Any, arn: str) -> None:
        if arn not in _known_arns(self):
            raise ResourceNotFoundException(f"No scalable target found for ARN {arn}")

    orig_register = ApplicationAutoScalingResponse.register_scalable_target

    def register_scalable_target(self: Any) -> str:
        body = orig_register(self)
        tags = self._get_param("Tags") or {}
        if tags:
            arn = json.loads(body)["ScalableTargetARN"]
            _tags(self.applicationautoscaling_backend).setdefault(arn, {}).update(tags)
        return body

    orig_deregister = backend_cls.deregister_scalable_target

    def deregister_scalable_target(self: Any, namespace: str, r_id: str, dimension: str) -> None:
        target = self.targets.get(dimension, {}).get(r_id)
        orig_deregister(self, namespace, r_id, dimension)
        if target is not None:
            _tags(self).pop(target.arn, None)

    def list_tags_for_resource(self: Any) -> str:
        backend = self.applicationautoscaling_backend
        arn = self._get_param("ResourceARN")
        _check(backend, arn)
        return json.dumps({"Tags": dict(_tags(backend).get(arn, {}))})

    def tag_resource(self: Any) -> str:
        backend = self.applicationautoscaling_backend
        arn = self._get_param("ResourceARN")
        _check(backend, arn)
        tags = self._get_param("Tags") or {}
        if not tags:
            raise AWSValidationException("Tags must not be empty")
        _tags(backend).setdefault(arn, {}).update(tags)
        return json.dumps({})

    def untag_resource(self: Any) -> str:
        backend = self.applicationautoscaling_backend
        arn = self._get_param("ResourceARN")
        _check(backend, arn)
        for key in self._get_param("TagKeys") or []:
            _tags(backend).get(arn, {}).pop(key, None)
        return json.dumps({})

    ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target  # type: ignore[method-assign]
    ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource  # type: ignore[attr-defined]
    ApplicationAutoScalingResponse.tag_resource = tag_resource  # type: ignore[attr-defined]
    ApplicationAutoScalingResponse.untag_resource = untag_resource  # type: ignore[attr-defined]
    backend_cls.deregister_scalable_target = deregister_scalable_target  # type: ignore[method-assign]


# -------------------------------------------------------------- CodeDeploy


@patch("codedeploy-epoch-and-deletes")
def _codedeploy() -> None:
    """CodeDeploy timestamps as epoch numbers; DeleteApplication and DeleteDeploymentGroup."""
    from moto.codedeploy import models as cd_models
    from moto.codedeploy.responses import CodeDeployResponse

    def wrap_to_dict(cls: Any, fields: tuple[str, ...]) -> None:
        orig = cls.to_dict

        def to_dict(self: Any) -> dict[str, Any]:
            d = orig(self)
            for f in fields:
                if d.get(f) is not None:
                    d[f] = _epoch(d[f])
            return d

        cls.to_dict = to_dict

    wrap_to_dict(cd_models.Application, ("createTime",))
    wrap_to_dict(cd_models.DeploymentInfo, ("createTime", "startTime", "completeTime"))

    def _arn(backend: Any, kind: str, name: str) -> str:
        return f"arn:aws:codedeploy:{backend.region_name}:{backend.account_id}:{kind}:{name}"

    def delete_application(self: Any) -> str:
        backend = self.codedeploy_backend
        name = self._get_param("applicationName")
        # AWS: deleting an application that does not exist succeeds silently.
        if backend.applications.pop(name, None) is not None:
            for dg_name in list(backend.deployment_groups.get(name, {})):
                backend.tagger.delete_all_tags_for_resource(
                    _arn(backend, "deploymentgroup", f"{name}/{dg_name}")
                )
            backend.deployment_groups.pop(name, None)
            backend.tagger.delete_all_tags_for_resource(_arn(backend, "application", name))
        return json.dumps({})

    def delete_deployment_group(self: Any) -> str:
        backend = self.codedeploy_backend
        app = self._get_param("applicationName")
        name = self._get_param("deploymentGroupName")
        backend.get_application(app)  # ApplicationDoesNotExistException
        groups = backend.deployment_groups.get(app, {})
        if groups.pop(name, None) is not None:
            backend.tagger.delete_all_tags_for_resource(
                _arn(backend, "deploymentgroup", f"{app}/{name}")
            )
        return json.dumps({"hooksNotCleanedUp": []})

    CodeDeployResponse.delete_application = delete_application  # type: ignore[attr-defined]
    CodeDeployResponse.delete_deployment_group = delete_deployment_group  # type: ignore[attr-defined]


# --------------------------------------------------------------------- ECS

_SERVICE_EXTRAS: dict[str, Any] = {
    # request key -> default when absent at creation (None: left unset)
    "capacityProviderStrategy": None,
    "healthCheckGracePeriodSeconds": None,
    "availabilityZoneRebalancing": "DISABLED",
    "enableECSManagedTags": False,
    "enableExecuteCommand": False,
    "placementConstraints": None,
    "placementStrategy": None,
    "deploymentConfiguration": None,
}


def _norm_strategy(items: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for item in items or []:
        out.append(
            {
                "capacityProvider": item["capacityProvider"],
                "weight": int(item.get("weight", 0) or 0),
                "base": int(item.get("base", 0) or 0),
            }
        )
    return out


def _norm_deployment_configuration(conf: dict[str, Any] | None) -> dict[str, Any]:
    conf = dict(conf or {})
    cb = dict(conf.get("deploymentCircuitBreaker") or {})
    conf["deploymentCircuitBreaker"] = {
        "enable": bool(cb.get("enable", False)),
        "rollback": bool(cb.get("rollback", False)),
    }
    conf.setdefault("maximumPercent", 200)
    conf.setdefault("minimumHealthyPercent", 100)
    return conf


def _apply_service_extras(service: Any, params: dict[str, Any], creating: bool) -> None:
    from botocore import xform_name

    for key, default in _SERVICE_EXTRAS.items():
        attr = xform_name(key)
        if key in params and params[key] is not None:
            value = params[key]
        elif creating:
            value = default
        else:
            continue
        if key == "capacityProviderStrategy":
            value = _norm_strategy(value)
        elif key == "deploymentConfiguration":
            value = _norm_deployment_configuration(value)
        setattr(service, attr, value)

    if getattr(service, "capacity_provider_strategy", None):
        # As on AWS: a service placed by capacity providers has no launch type.
        if creating or not params.get("launchType"):
            service.launch_type = None
        for d in getattr(service, "deployments", None) or []:
            d["launchType"] = None
            d["capacityProviderStrategy"] = service.capacity_provider_strategy
    if creating and getattr(service, "deployment_configuration", None) is None:
        service.deployment_configuration = _norm_deployment_configuration(None)


@patch("ecs-service-fields")
def _ecs_service_fields() -> None:
    """ECS CreateService/UpdateService keep capacityProviderStrategy, healthCheckGracePeriodSeconds, availabilityZoneRebalancing, enableECSManagedTags, enableExecuteCommand, placement constraints/strategy, deploymentConfiguration."""
    from botocore import xform_name
    from moto.ecs.responses import EC2ContainerServiceResponse

    orig_create = EC2ContainerServiceResponse.create_service

    def create_service(self: Any) -> Any:
        result = orig_create(self)
        params = self._get_params()
        service = self.ecs_backend._get_service(
            params.get("cluster", "default"), params["serviceName"]
        )
        _apply_service_extras(service, params, creating=True)
        return result

    def update_service(self: Any) -> Any:
        params = self._get_params()
        props: dict[str, Any] = {}
        for k, v in params.items():
            if k in _SERVICE_EXTRAS or k in ("launchType",):
                continue  # handled by _apply_service_extras
            props[xform_name(k)] = v
        service = self.ecs_backend.update_service(props)
        _apply_service_extras(service, params, creating=False)
        if params.get("launchType"):
            service.launch_type = params["launchType"]
        from moto.core.responses import ActionResult

        return ActionResult({"service": service})

    EC2ContainerServiceResponse.create_service = create_service  # type: ignore[method-assign]
    EC2ContainerServiceResponse.update_service = update_service  # type: ignore[method-assign]


@patch("ecs-no-empty-network-configuration")
def _ecs_network_configuration() -> None:
    """ECS services without awsvpc networking omit networkConfiguration instead of returning {} (provider 5.100 panics in flattenNetworkConfiguration)."""
    from moto.ecs.models import Service

    orig_init = Service.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        orig_init(self, *args, **kwargs)
        if not self.network_configuration:
            self.network_configuration = None

    orig_setattr = Service.__setattr__

    def __setattr__(self: Any, name: str, value: Any) -> None:
        # UpdateService copies request fields onto the model; keep "absent" absent.
        if name == "network_configuration" and not value:
            value = None
        orig_setattr(self, name, value)

    Service.__init__ = __init__  # type: ignore[method-assign]
    Service.__setattr__ = __setattr__  # type: ignore[method-assign,assignment]


@patch("ecs-list-pagination")
def _ecs_list_pagination() -> None:
    """ECS ListContainerInstances, ListServices and ListTasks return pages of maxResults with a nextToken (moto returns everything at once)."""
    from moto.core.responses import ActionResult
    from moto.ecs.responses import EC2ContainerServiceResponse

    def paged(name: str, key: str) -> None:
        orig = getattr(EC2ContainerServiceResponse, name)

        def wrapped(self: Any) -> Any:
            result = orig(self)
            items = list(result.result[key])
            size = self._get_param("maxResults")
            token = self._get_param("nextToken")
            start = int(token) if token else 0
            if not size and not token:
                return result
            end = start + int(size or 100)
            page = {key: items[start:end], **({"nextToken": str(end)} if end < len(items) else {})}
            return ActionResult(page)

        setattr(EC2ContainerServiceResponse, name, wrapped)

    paged("list_container_instances", "containerInstanceArns")
    paged("list_services", "serviceArns")
    paged("list_tasks", "taskArns")


# --------------------------------------------------------------------- EC2


@patch("ec2-launch-template-tags")
def _ec2_launch_template_tags() -> None:
    """EC2 CreateLaunchTemplate does not copy the template's own tags into LaunchTemplateData.TagSpecifications."""
    from moto.core.responses import ActionResult
    from moto.ec2.responses.launch_templates import LaunchTemplates
    from moto.ec2.utils import parse_user_data

    def create_launch_template(self: Any) -> ActionResult:
        name = self._get_param("LaunchTemplateName")
        version_description = self._get_param("VersionDescription")
        # TagSpecification.N (ResourceType=launch-template) tags the template
        # itself; it is not part of the template data.
        tag_spec = self._parse_tag_specification()
        parsed_template_data = self._get_param("LaunchTemplateData", {})
        parsed_template_data["UserData"] = parse_user_data(
            self._get_param("LaunchTemplateData.UserData")
        )
        self.error_on_dryrun()
        template = self.ec2_backend.create_launch_template(
            name, version_description, parsed_template_data, tag_spec
        )
        version = template.default_version()
        return ActionResult(
            {
                "LaunchTemplate": {
                    "CreateTime": version.create_time,
                    "CreatedBy": f"arn:{self.partition}:iam::{self.current_account}:root",
                    "DefaultVersionNumber": template.default_version_number,
                    "LatestVersionNumber": version.number,
                    "LaunchTemplateId": template.id,
                    "LaunchTemplateName": template.name,
                    "Tags": template.tags,
                },
            }
        )

    LaunchTemplates.create_launch_template = create_launch_template  # type: ignore[method-assign]


@patch("ec2-security-group-rule-description")
def _ec2_security_group_rule_description() -> None:
    """EC2 DescribeSecurityGroupRules returns the Description of a rule that references a security group (moto only kept it for CIDR rules)."""
    from moto.ec2.models.security_groups import SecurityGroupRule

    SecurityGroupRule.description = property(  # type: ignore[method-assign,assignment]
        lambda self: self.ip_range.get("Description") or self.source_group.get("Description")
    )


# ------------------------------------------------------------- Auto Scaling


@patch("autoscaling-reconcile")
def _autoscaling_reconcile() -> None:
    """Auto Scaling reconciles instances with the desired capacity after SetInstanceProtection (provider's drain-then-delete no longer hangs)."""
    from moto.autoscaling.models import AutoScalingBackend

    orig = AutoScalingBackend.set_instance_protection

    def set_instance_protection(
        self: Any, group_name: str, instance_ids: list[str], protected_from_scale_in: bool | None
    ) -> None:
        orig(self, group_name, instance_ids, protected_from_scale_in)
        group = self.autoscaling_groups[group_name]
        group.set_desired_capacity(group.desired_capacity)

    AutoScalingBackend.set_instance_protection = set_instance_protection  # type: ignore[method-assign]


@patch("autoscaling-default-instance-warmup")
def _autoscaling_default_instance_warmup() -> None:
    """Auto Scaling keeps DefaultInstanceWarmup (CreateAutoScalingGroup, UpdateAutoScalingGroup) and returns it in DescribeAutoScalingGroups."""
    from moto.autoscaling.responses import AutoScalingResponse

    def keep(orig: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def wrapped(self: Any) -> Any:
            result = orig(self)
            warmup = self._get_int_param("DefaultInstanceWarmup")
            if warmup is not None:
                group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
                # The response serializer reads the attribute named after the shape member.
                group.default_instance_warmup = None if warmup < 0 else warmup
            return result

        return wrapped

    AutoScalingResponse.create_auto_scaling_group = keep(AutoScalingResponse.create_auto_scaling_group)  # type: ignore[method-assign]
    AutoScalingResponse.update_auto_scaling_group = keep(AutoScalingResponse.update_auto_scaling_group)  # type: ignore[method-assign]


@patch("autoscaling-instance-launch-template-version")
def _autoscaling_instance_launch_template_version() -> None:
    """Each Auto Scaling instance reports the launch template version it was launched from ($Latest/$Default resolved then), not the template's current default."""
    from moto.autoscaling.models import InstanceState

    orig_init = InstanceState.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        orig_init(self, *args, **kwargs)
        group = self.auto_scaling_group
        template = getattr(group, "ec2_launch_template", None)
        self._launched_version = template.get_version(group.launch_template_version).number if template is not None else None

    def launch_template(self: Any) -> dict[str, Any] | None:
        template = getattr(self.auto_scaling_group, "ec2_launch_template", None)
        if template is None:
            return None
        version = getattr(self, "_launched_version", None) or template.default_version_number
        return {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name, "Version": str(version)}

    InstanceState.__init__ = __init__  # type: ignore[method-assign]
    InstanceState.launch_template = property(launch_template)  # type: ignore[method-assign,assignment]


# ------------------------------------------------------------------ server


def _log_errors(app: Any) -> Any:
    """WSGI wrapper (MOTO_LOG_ERRORS=1): log the operation and body of every
    4xx/5xx answer to stderr, to find the next gap quickly."""
    import io
    from urllib.parse import parse_qs

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        op = environ.get("HTTP_X_AMZ_TARGET") or ""
        if not op and body[:200].find(b"Action=") >= 0:
            op = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
        status_holder: list[str] = []

        def sr(status: str, headers: Any, exc_info: Any = None) -> Any:
            status_holder.append(status)
            return start_response(status, headers, exc_info)

        chunks = list(app(environ, sr))
        status = status_holder[0] if status_holder else "?"
        if status[:1] in ("4", "5"):
            out = b"".join(chunks)[:600].decode("utf-8", "replace")
            print(
                f"[moto-error] {status} {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')} "
                f"{op} req={body[:300]!r} resp={out!r}",
                file=sys.stderr,
                flush=True,
            )
        return chunks

    return wrapped


def _exit_with_parent() -> None:
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while True:
            if os.getppid() != parent:  # re-parented: our starter died
                os._exit(0)
            time.sleep(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=int(os.environ.get("MOTO_PORT", 5000)))
    parser.add_argument("--list-patches", action="store_true")
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="exit when the process that started the server goes away (no leaked servers)",
    )
    args = parser.parse_args(argv)

    if args.list_patches:
        print("\n".join(PATCHES))
        return
    if moto.__version__ != EXPECTED_MOTO:
        print(
            f"warning: patches written for moto {EXPECTED_MOTO}, found {moto.__version__}",
            file=sys.stderr,
        )

    os.environ.setdefault("MOTO_PORT", str(args.port))

    from werkzeug.serving import run_simple

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    def stop(signum: int, frame: Any) -> None:
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    if args.exit_with_parent:
        _exit_with_parent()

    app: Any = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    if os.environ.get("MOTO_LOG_ERRORS"):
        app = _log_errors(app)
    print(f"moto {moto.__version__} (+{len(PATCHES)} patches) on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
