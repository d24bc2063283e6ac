#!/usr/bin/env python3
"""moto 5.2.1 server with the patches the Terraform AWS provider (5.100.0)
needs to apply, re-plan without changes and destroy an ECS environment.

Usage: python3 test/moto/server.py [-H 127.0.0.1] [-p 5000]

Every patch is a small, targeted monkey-patch applied before the server
starts; each one is listed (with the gap it fills) in test/README.md.
Run with --list-patches to print them.

Snapshots (for the e2e files' shared environment, not a gap of moto's):
POST /moto-api/ecsdeploy/snapshot?path=FILE saves every backend to FILE, and
MOTO_RESTORE=FILE loads it before the server starts serving.
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


@patch("codedeploy-deployment-configs-and-alarms")
def _codedeploy_configs_and_alarms() -> None:
    """CodeDeploy CreateDeploymentConfig/GetDeploymentConfig/DeleteDeploymentConfig and UpdateDeploymentGroup; GetDeploymentGroup returns the alarmConfiguration it was given."""
    import time
    import uuid

    from moto.codedeploy import models as cd_models
    from moto.codedeploy.responses import CodeDeployResponse
    from moto.core.exceptions import JsonRESTError

    orig_to_dict = cd_models.DeploymentGroup.to_dict

    def to_dict(self: Any) -> dict[str, Any]:
        d = orig_to_dict(self)
        if self.alarm_configuration:  # moto hard-codes {} ("TODO")
            d["alarmConfiguration"] = self.alarm_configuration
        return d

    cd_models.DeploymentGroup.to_dict = to_dict  # type: ignore[method-assign]

    def configs(backend: Any) -> dict[str, dict[str, Any]]:
        if not hasattr(backend, "_deployment_configs"):
            backend._deployment_configs = {}
        return backend._deployment_configs

    def create_deployment_config(self: Any) -> str:
        name = self._get_param("deploymentConfigName")
        store = configs(self.codedeploy_backend)
        if name in store or name.startswith("CodeDeployDefault."):
            raise JsonRESTError("DeploymentConfigAlreadyExistsException", f"Deployment Configuration {name} already exists.")
        info: dict[str, Any] = {
            "deploymentConfigId": str(uuid.uuid4()),
            "deploymentConfigName": name,
            "computePlatform": self._get_param("computePlatform") or "Server",
            "createTime": time.time(),
        }
        for key in ("minimumHealthyHosts", "trafficRoutingConfig", "zonalConfig"):
            if self._get_param(key) is not None:
                info[key] = self._get_param(key)
        store[name] = info
        return json.dumps({"deploymentConfigId": info["deploymentConfigId"]})

    def get_deployment_config(self: Any) -> str:
        name = self._get_param("deploymentConfigName")
        info = configs(self.codedeploy_backend).get(name)
        if info is None:
            raise JsonRESTError("DeploymentConfigDoesNotExistException", f"The deployment configuration {name} does not exist with the user or AWS account.")
        return json.dumps({"deploymentConfigInfo": info})

    def delete_deployment_config(self: Any) -> str:
        name = self._get_param("deploymentConfigName")
        backend = self.codedeploy_backend
        if name.startswith("CodeDeployDefault."):
            raise JsonRESTError("InvalidOperationException", "Predefined deployment configurations cannot be deleted.")
        in_use = any(g.deployment_config_name == name for groups in backend.deployment_groups.values() for g in groups.values())
        if in_use:
            raise JsonRESTError("DeploymentConfigInUseException", f"Deployment configuration {name} is in use by a deployment group.")
        configs(backend).pop(name, None)  # AWS: deleting an unknown custom config succeeds
        return json.dumps({})

    # UpdateDeploymentGroup request key -> DeploymentGroup attribute
    fields = {
        "deploymentConfigName": "deployment_config_name",
        "ec2TagFilters": "ec2_tag_filters",
        "onPremisesInstanceTagFilters": "on_premises_instance_tag_filters",
        "autoScalingGroups": "auto_scaling_groups",
        "serviceRoleArn": "service_role_arn",
        "triggerConfigurations": "trigger_configurations",
        "alarmConfiguration": "alarm_configuration",
        "autoRollbackConfiguration": "auto_rollback_configuration",
        "outdatedInstancesStrategy": "outdated_instances_strategy",
        "deploymentStyle": "deployment_style",
        "blueGreenDeploymentConfiguration": "blue_green_deployment_configuration",
        "loadBalancerInfo": "load_balancer_info",
        "ec2TagSet": "ec2_tag_set",
        "ecsServices": "ecs_services",
        "onPremisesTagSet": "on_premises_tag_set",
        "terminationHookEnabled": "termination_hook_enabled",
    }

    def update_deployment_group(self: Any) -> str:
        backend = self.codedeploy_backend
        app = self._get_param("applicationName")
        current = self._get_param("currentDeploymentGroupName")
        backend.get_application(app)  # ApplicationDoesNotExistException
        groups = backend.deployment_groups.get(app, {})
        group = groups.get(current)
        if group is None:
            raise JsonRESTError("DeploymentGroupDoesNotExistException", f"The deployment group {current} does not exist with the user or AWS account.")
        for key, attr in fields.items():
            value = self._get_param(key)
            if value is not None:
                setattr(group, attr, value)
        new_name = self._get_param("newDeploymentGroupName")
        if new_name and new_name != current:
            if new_name in groups:
                raise JsonRESTError("DeploymentGroupAlreadyExistsException", f"Deployment group {new_name} already exists.")
            groups[new_name] = groups.pop(current)
            group.deployment_group_name = new_name
        return json.dumps({"hooksNotCleanedUp": []})

    CodeDeployResponse.create_deployment_config = create_deployment_config  # type: ignore[attr-defined]
    CodeDeployResponse.get_deployment_config = get_deployment_config  # type: ignore[attr-defined]
    CodeDeployResponse.delete_deployment_config = delete_deployment_config  # type: ignore[attr-defined]
    CodeDeployResponse.update_deployment_group = update_deployment_group  # type: ignore[attr-defined]


@patch("codedeploy-ecs-deployments")
def _codedeploy_ecs_deployments() -> None:
    """CodeDeploy ECS deployments run: InProgress, then Succeeded after MOTO_CODEDEPLOY_SECONDS (default 0), or Failed (AppSpec task definition not registered in ECS; automatic rollback when the group asks for it); StopDeployment, ListDeploymentTargets, BatchGetDeploymentTargets."""
    import time

    from moto.codedeploy import models as cd_models
    from moto.codedeploy.responses import CodeDeployResponse
    from moto.core.exceptions import JsonRESTError
    from moto.core.utils import iso_8601_datetime_with_milliseconds
    from moto.ecs.models import ecs_backends

    seconds = float(os.environ.get("MOTO_CODEDEPLOY_SECONDS", "0"))
    events = [
        "BeforeInstall", "Install", "AfterInstall", "BeforeAllowTestTraffic", "AllowTestTraffic",
        "AfterAllowTestTraffic", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic",
    ]
    done = ("Succeeded", "Failed", "Stopped")

    def appspec_task_definition(d: Any) -> str | None:
        try:
            content = (d.revision or {}).get("appSpecContent", {}).get("content") or "{}"
            spec = json.loads(content)
            for resource in spec.get("Resources", []):
                for value in resource.values():
                    td = value.get("Properties", {}).get("TaskDefinition")
                    if td:
                        return str(td)
        except (ValueError, AttributeError):
            return None
        return None

    def ecs_of(backend: Any) -> Any:
        return ecs_backends[backend.account_id][backend.region_name]

    def ecs_service(d: Any) -> tuple[str, str] | None:
        for s in d.deployment_group.ecs_services or []:
            return str(s.get("clusterName")), str(s.get("serviceName"))
        return None

    def task_definition_exists(backend: Any, arn: str) -> bool:
        try:
            ecs_of(backend).describe_task_definition(arn)
            return True
        except Exception:  # noqa: BLE001 - moto raises its own not-found error
            return False

    def finish(backend: Any, d: Any, status: str, error: dict[str, str] | None, rollback: bool, why: str) -> None:
        d.status = status
        d.complete_time = iso_8601_datetime_with_milliseconds()
        d._error = error
        if rollback:
            # CodeDeploy's own rollback: a new deployment (creator codeDeployRollback) back to the original task set.
            again = cd_models.DeploymentInfo(
                d.application, d.deployment_group, d.revision, d.deployment_config_name,
                f"Rollback of {d.deployment_id}", None, None, None, None, None, None, "codeDeployRollback",
            )
            again.status = "Succeeded"
            again.start_time = again.complete_time = iso_8601_datetime_with_milliseconds()
            again._created = time.time()
            backend.deployments[again.deployment_id] = again
            d._rollback = {
                "rollbackDeploymentId": again.deployment_id,
                "rollbackMessage": f"Deployment {d.deployment_id} {why}; CodeDeploy rolled it back with {again.deployment_id}.",
            }

    def auto_rollback(d: Any) -> bool:
        conf = d.auto_rollback_configuration or d.deployment_group.auto_rollback_configuration or {}
        return bool(conf.get("enabled")) and "DEPLOYMENT_FAILURE" in (conf.get("events") or [])

    def advance(backend: Any, d: Any) -> None:
        if d.status in done or d.application.compute_platform != "ECS":
            return
        created = getattr(d, "_created", None)
        if created is None:
            created = d._created = time.time()
        age = time.time() - created
        if d.status == "Created":
            d.status = "InProgress"
            d.start_time = iso_8601_datetime_with_milliseconds()
        td = appspec_task_definition(d)
        if td is not None and not task_definition_exists(backend, td) and age >= seconds / 2:
            finish(
                backend, d, "Failed",
                {"code": "ECS_UPDATE_ERROR", "message": f"The ECS service cannot be updated: task definition {td} does not exist."},
                auto_rollback(d), "failed",
            )
            return
        if age >= seconds:
            finish(backend, d, "Succeeded", None, False, "")
            where = ecs_service(d)
            if where is not None and td is not None:
                try:  # the replacement task set is now the service's
                    ecs_of(backend)._get_service(where[0], where[1]).task_definition = td
                except Exception:  # noqa: BLE001 - best effort, the deployment's status is what counts
                    pass

    def progress(d: Any) -> float:
        if d.status == "Succeeded":
            return 1.0
        created = getattr(d, "_created", time.time())
        return min(0.99, (time.time() - created) / seconds) if seconds > 0 else 0.99

    orig_to_dict = cd_models.DeploymentInfo.to_dict

    def to_dict(self: Any) -> dict[str, Any]:
        out = orig_to_dict(self)
        if getattr(self, "_error", None):
            out["errorInformation"] = self._error
        if getattr(self, "_rollback", None):
            out["rollbackInfo"] = self._rollback
        return out

    cd_models.DeploymentInfo.to_dict = to_dict  # type: ignore[method-assign]

    orig_get = cd_models.CodeDeployBackend.get_deployment
    orig_batch = cd_models.CodeDeployBackend.batch_get_deployments
    orig_list = cd_models.CodeDeployBackend.list_deployments

    def get_deployment(self: Any, deployment_id: str) -> Any:
        d = orig_get(self, deployment_id)
        advance(self, d)
        return d

    def batch_get_deployments(self: Any, ids: list[str]) -> Any:
        out = orig_batch(self, ids)
        for d in out:
            advance(self, d)
        return out

    def list_deployments(self: Any, *args: Any, **kwargs: Any) -> Any:
        for d in list(self.deployments.values()):
            advance(self, d)
        return orig_list(self, *args, **kwargs)

    cd_models.CodeDeployBackend.get_deployment = get_deployment  # type: ignore[method-assign]
    cd_models.CodeDeployBackend.batch_get_deployments = batch_get_deployments  # type: ignore[method-assign]
    cd_models.CodeDeployBackend.list_deployments = list_deployments  # type: ignore[method-assign]

    orig_create = cd_models.CodeDeployBackend.create_deployment

    def create_deployment(self: Any, *args: Any, **kwargs: Any) -> str:
        deployment_id = orig_create(self, *args, **kwargs)
        self.deployments[deployment_id]._created = time.time()
        return deployment_id

    cd_models.CodeDeployBackend.create_deployment = create_deployment  # type: ignore[method-assign]

    def deployment(self: Any) -> Any:
        backend = self.codedeploy_backend
        deployment_id = self._get_param("deploymentId")
        d = backend.deployments.get(deployment_id)
        if d is None:
            raise JsonRESTError("DeploymentDoesNotExistException", f"The deployment {deployment_id} could not be found.")
        advance(backend, d)
        return d

    def stop_deployment(self: Any) -> str:
        d = deployment(self)
        if d.status in done:
            raise JsonRESTError("DeploymentAlreadyCompletedException", f"The deployment {d.deployment_id} has already completed.")
        rollback = bool(self._get_param("autoRollbackEnabled"))
        finish(self.codedeploy_backend, d, "Stopped", None, rollback, "was stopped")
        return json.dumps({"status": "Succeeded", "statusMessage": "Deployment stopped."})

    def target_id(d: Any) -> str | None:
        where = ecs_service(d)
        return f"{where[0]}:{where[1]}" if where else None

    def list_deployment_targets(self: Any) -> str:
        d = deployment(self)
        tid = target_id(d)
        return json.dumps({"targetIds": [tid] if tid else []})

    def batch_get_deployment_targets(self: Any) -> str:
        d = deployment(self)
        tid = target_id(d)
        wanted = self._get_param("targetIds") or []
        if tid is None or tid not in wanted:
            return json.dumps({"deploymentTargets": []})
        p = progress(d)
        status = {"Created": "Pending", "InProgress": "InProgress", "Succeeded": "Succeeded", "Failed": "Failed", "Stopped": "Failed"}.get(d.status, "Unknown")
        lifecycle = []
        for i, name in enumerate(events):
            if d.status == "Succeeded" or p >= (i + 1) / len(events):
                st = "Succeeded"
            elif d.status in ("Failed", "Stopped"):
                st = "Failed" if not lifecycle or lifecycle[-1]["status"] == "Succeeded" else "Skipped"
            else:
                st = "InProgress" if not lifecycle or lifecycle[-1]["status"] == "Succeeded" else "Pending"
            lifecycle.append({"lifecycleEventName": name, "status": st})
        shifted = 100.0 if d.status == "Succeeded" else (100.0 * max(0.0, p - 7 / 9) * 4.5 if d.status == "InProgress" else 0.0)
        cluster, service = tid.split(":", 1)
        target = {
            "deploymentId": d.deployment_id,
            "targetId": tid,
            "targetArn": f"arn:aws:ecs:{self.region}:{self.current_account}:service/{cluster}/{service}",
            "lastUpdatedAt": time.time(),
            "lifecycleEvents": lifecycle,
            "status": status,
            "taskSetsInfo": [
                {"identifer": "blue", "taskSetLabel": "Blue", "status": "PRIMARY", "trafficWeight": 100.0 - shifted,
                 "desiredCount": 1, "runningCount": 1, "pendingCount": 0},
                {"identifer": "green", "taskSetLabel": "Green", "status": "ACTIVE", "trafficWeight": shifted,
                 "desiredCount": 1, "runningCount": 1 if p > 2 / 9 else 0, "pendingCount": 0},
            ],
        }
        return json.dumps({"deploymentId": d.deployment_id, "deploymentTargets": [{"deploymentTargetType": "ECSTarget", "ecsTarget": target}]})

    CodeDeployResponse.stop_deployment = stop_deployment  # type: ignore[attr-defined]
    CodeDeployResponse.list_deployment_targets = list_deployment_targets  # type: ignore[attr-defined]
    CodeDeployResponse.batch_get_deployment_targets = batch_get_deployment_targets  # type: ignore[attr-defined]


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


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


@patch("ecs-service-connect")
def _ecs_service_connect() -> None:
    """ECS CreateService/UpdateService keep serviceConnectConfiguration; DescribeServices returns it, with serviceConnectResources, on the PRIMARY deployment (Cloud Map services created in the namespace)."""
    from moto.ecs.responses import EC2ContainerServiceResponse
    from moto.servicediscovery.models import servicediscovery_backends

    def cloud_map(backend: Any) -> Any:
        return servicediscovery_backends[backend.account_id][backend.region_name]

    def namespace_id(backend: Any, service: Any, conf: dict[str, Any]) -> str | None:
        ref = conf.get("namespace")
        if not ref:  # AWS falls back to the cluster's Service Connect default
            cluster = backend.clusters.get(service.cluster_name)
            ref = ((cluster and cluster.service_connect_defaults) or {}).get("namespace")
        if not ref:
            return None
        sd = cloud_map(backend)
        for ns in sd.namespaces.values():
            if ref in (ns.arn, ns.id, ns.name):
                return ns.id
        return None

    def resources(backend: Any, service: Any, conf: dict[str, Any]) -> list[dict[str, str]]:
        """The Cloud Map service of each published port (reused if the namespace already has it)."""
        out: list[dict[str, str]] = []
        ns_id = namespace_id(backend, service, conf)
        if not conf.get("enabled") or ns_id is None:
            return out
        sd = cloud_map(backend)
        owned = getattr(service, "_service_connect_cloud_map", set())
        for entry in conf.get("services") or []:
            name = entry.get("discoveryName") or entry["portName"]
            existing = next((s for s in sd.services.values() if s.namespace_id == ns_id and s.name == name), None)
            if existing is None:
                existing = sd.create_service(
                    name=name, namespace_id=ns_id, creator_request_id=f"ecs-{service.name}-{name}",
                    description=f"Managed by Amazon ECS ({service.cluster_name}/{service.name})",
                    dns_config=None, health_check_config=None, health_check_custom_config=None,
                    tags=[{"Key": "AmazonECSManaged", "Value": "true"}], service_type="HTTP",
                )
                owned.add(existing.id)
            out.append({"discoveryName": name, "discoveryArn": existing.arn})
        service._service_connect_cloud_map = owned
        return out

    def store(self: Any, params: dict[str, Any]) -> None:
        conf = params.get("serviceConnectConfiguration")
        if conf is None:
            return  # UpdateService without it keeps the current configuration, as on AWS
        backend = self.ecs_backend
        service = backend._get_service(params.get("cluster", "default"), params.get("serviceName") or params["service"])
        conf = _drop_none(conf)
        for d in service.deployments:
            if d.get("status") == "PRIMARY":
                d["serviceConnectConfiguration"] = conf
                d["serviceConnectResources"] = resources(backend, service, conf)

    orig_create = EC2ContainerServiceResponse.create_service
    orig_update = EC2ContainerServiceResponse.update_service
    orig_delete = EC2ContainerServiceResponse.delete_service

    def create_service(self: Any) -> Any:
        result = orig_create(self)
        store(self, self._get_params())
        return result

    def update_service(self: Any) -> Any:
        result = orig_update(self)
        store(self, self._get_params())
        return result

    def delete_service(self: Any) -> Any:
        result = orig_delete(self)
        service = result.result["service"]
        # ECS removes the Cloud Map services it created for Service Connect.
        sd = cloud_map(self.ecs_backend)
        for sid in getattr(service, "_service_connect_cloud_map", set()):
            sd.delete_service(sid)
        service._service_connect_cloud_map = set()
        return result

    EC2ContainerServiceResponse.create_service = create_service  # type: ignore[method-assign]
    EC2ContainerServiceResponse.update_service = update_service  # type: ignore[method-assign]
    EC2ContainerServiceResponse.delete_service = delete_service  # type: ignore[method-assign]


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


@patch("ecs-one-off-tasks")
def _ecs_one_off_tasks() -> None:
    """ECS RunTask places tasks on a cluster without registered instances (and of task definitions with task-level memory only), and one-off tasks (startedBy ecsdeploy) run a script told by their command: exit N, MOTO_TASK=never-starts or MOTO_TASK=runs; echo lines go to their awslogs stream."""
    # Why: moto's ASG instances run no ECS agent, so they never register as container instances,
    # and RunTask on EC2 capacity fails with "No instances found"; and moto's tasks walk
    # RUNNING -> STOPPED over four DescribeTasks with exit code 0 and no stop code, whatever they
    # run. ecsdeploy's `task run` and deployment.before pass the container's exit code through, so
    # the tests need to choose it. The command override (the words ecsdeploy sends) decides:
    #   ... exit N ...             RUNNING, then STOPPED at the next DescribeTasks with exit code N
    #                              (the last `exit N` in the command; none: 0)
    #   ... MOTO_TASK=never-starts STOPPED at once, stopCode TaskFailedToStart, a CannotPullContainerError
    #                              reason, no exit code
    #   ... MOTO_TASK=runs ...     RUNNING until StopTask (then exit code 143, stopCode UserInitiated)
    # `echo TEXT` parts of the command become log events of the container's awslogs stream
    # (<prefix>/<container>/<task id>), as the container would have written them.
    import re
    from datetime import datetime, timezone

    from moto.ecs.models import Container, EC2ContainerServiceBackend

    orig_run = EC2ContainerServiceBackend.run_task
    orig_describe = EC2ContainerServiceBackend.describe_tasks
    orig_stop = EC2ContainerServiceBackend.stop_task

    def now() -> datetime:
        return datetime.now(timezone.utc)

    def command_of(task: Any) -> tuple[str, str]:
        for o in (task.overrides or {}).get("containerOverrides", []) or []:
            if o.get("command"):
                return o.get("name", ""), " ".join(o["command"])
        return "", ""

    def write_logs(backend: Any, task: Any, td: Any, container: str, text: str) -> None:
        lines = [m.strip().strip("'\"") for m in re.findall(r"echo\s+([^;&|]+)", text)]
        definition = next((c for c in td.container_definitions if c.get("name") == container), None)
        options = ((definition or {}).get("logConfiguration") or {}).get("options") or {}
        group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
        if not lines or not group or not prefix:
            return
        from moto.logs.models import logs_backends

        logs = logs_backends[backend.account_id][task.region_name]
        stream = f"{prefix}/{container}/{task.id}"
        try:
            logs.create_log_stream(group, stream)
            ms = int(now().timestamp() * 1000)
            logs.put_log_events(group, stream, [{"timestamp": ms + i, "message": line} for i, line in enumerate(lines)])
        except Exception:  # noqa: BLE001 - no log group: the task simply logs nothing
            pass

    def run_task(self: Any, cluster_str: str, task_definition_str: str, count: int, overrides: Any, started_by: str, tags: Any, launch_type: Any, *args: Any, **kwargs: Any) -> Any:
        cluster = self._get_cluster(cluster_str)
        instances = [i for i in self.container_instances.get(cluster.name, {}).values() if i.status == "ACTIVE"]
        placed_without_instance = launch_type != "FARGATE" and not instances
        tasks = orig_run(self, cluster_str, task_definition_str, count, overrides, started_by, tags, "FARGATE" if placed_without_instance else launch_type, *args, **kwargs)
        td = self.describe_task_definition(task_definition_str)
        for task in tasks:
            if placed_without_instance:
                task.launch_type = launch_type or "EC2"
            if started_by != "ecsdeploy":
                continue
            # One container per definition (moto keeps the first only), named as in the task definition.
            task.containers = []
            for definition in td.container_definitions:
                c = Container(td)
                c.name, c.image, c.exitCode, c.last_status = definition.get("name"), definition.get("image"), None, "RUNNING"
                c.runtime_id = f"{task.id}-{definition.get('name')}"
                task.containers.append(c)
            container, text = command_of(task)
            task.created_at = now()
            if "MOTO_TASK=never-starts" in text:
                task._ecsdeploy = {"script": "never-starts", "container": container}
                task.status = "PROVISIONING"
                task._transitions = [("PROVISIONING", "STOPPED")]
                for c in task.containers:
                    c.last_status = "PENDING"
                continue
            task.started_at = now()
            if "MOTO_TASK=runs" in text:
                task._ecsdeploy = {"script": "runs", "container": container}
                task._transitions = [("RUNNING", "RUNNING")]
            else:
                codes = re.findall(r"\bexit\s+(\d+)", text)
                task._ecsdeploy = {"script": "exits", "container": container, "code": int(codes[-1]) if codes else 0}
                task._transitions = [("RUNNING", "STOPPED")]
            write_logs(self, task, td, container, text)
        return tasks

    def finish(task: Any, stop_code: str, reason: str, code: Any) -> None:
        task.desired_status = "STOPPED"
        task.stop_code = stop_code
        task.stopped_reason = reason
        task.stopped_at = now()
        task.stopping_at = task.stopped_at
        for c in task.containers:
            c.last_status = "STOPPED"
            c.exitCode = code
        task._ecsdeploy["done"] = True

    def describe_tasks(self: Any, cluster_str: str, tasks: list[str]) -> Any:
        found = orig_describe(self, cluster_str, tasks)
        for task in found:
            script = getattr(task, "_ecsdeploy", None)
            if not script or script.get("done") or task.last_status != "STOPPED":
                continue
            if script["script"] == "never-starts":
                finish(task, "TaskFailedToStart", "CannotPullContainerError: moto: the image was not pulled (MOTO_TASK=never-starts)", None)
                for c in task.containers:
                    c.reason = "CannotPullContainerError: moto: ref not found"
            else:
                finish(task, "EssentialContainerExited", "Essential container in task exited", None)
                for c in task.containers:
                    c.exitCode = script["code"] if c.name == script["container"] else 0
        return found

    def stop_task(self: Any, cluster_str: str, task_str: str, reason: str) -> Any:
        task = orig_stop(self, cluster_str, task_str, reason)
        script = getattr(task, "_ecsdeploy", None)
        if script and not script.get("done"):
            finish(task, "UserInitiated", reason or "Task stopped by user", 143)
        return task

    # A task definition with only task-level memory (what the service stacks register: containers
    # without `memory`) made moto's resource count add None and RunTask fail with HTTP 500.
    orig_requirements = EC2ContainerServiceBackend._calculate_task_resource_requirements

    def requirements(task_definition: Any) -> Any:
        saved = task_definition.container_definitions
        task_definition.container_definitions = [
            d if any(k in d for k in ("memory", "memoryReservation", "Memory", "MemoryReservation")) else {**d, "memory": 0} for d in saved
        ]
        try:
            return orig_requirements(task_definition)
        finally:
            task_definition.container_definitions = saved

    EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(requirements)  # type: ignore[method-assign,assignment]
    EC2ContainerServiceBackend.run_task = run_task  # type: ignore[method-assign]
    EC2ContainerServiceBackend.describe_tasks = describe_tasks  # type: ignore[method-assign]
    EC2ContainerServiceBackend.stop_task = stop_task  # type: ignore[method-assign]


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


@patch("ec2-launch-template-version-user-data")
def _ec2_launch_template_version_user_data() -> None:
    """EC2 CreateLaunchTemplateVersion keeps UserData as the base64 text it was sent, as CreateLaunchTemplate does."""
    from moto.ec2.responses.launch_templates import LaunchTemplates
    from moto.ec2.utils import parse_user_data

    orig_get_param = LaunchTemplates._get_param
    orig_create_version = LaunchTemplates.create_launch_template_version

    # moto's CreateLaunchTemplateVersion stored LaunchTemplateData.UserData as a plain str, and an
    # Auto Scaling group launching from that version asserted it was a Base64EncodedString: HTTP 500
    # on the launch (SetDesiredCapacity, TerminateInstanceInAutoScalingGroup, ...).
    def create_launch_template_version(self: Any) -> Any:
        def get_param(name: str, if_none: Any = None) -> Any:
            value = orig_get_param(self, name, if_none)
            if name == "LaunchTemplateData" and isinstance(value, dict) and value.get("UserData") is not None:
                value = {**value, "UserData": parse_user_data(orig_get_param(self, "LaunchTemplateData.UserData"))}
            return value

        self._get_param = get_param
        try:
            return orig_create_version(self)
        finally:
            del self._get_param

    LaunchTemplates.create_launch_template_version = create_launch_template_version  # type: ignore[method-assign]


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


@patch("autoscaling-terminate-unknown-instance")
def _autoscaling_terminate_unknown_instance() -> None:
    """TerminateInstanceInAutoScalingGroup of an instance no longer in a group answers ValidationError (AWS's "Instance Id not found"), not HTTP 500."""
    from moto.autoscaling.exceptions import ValidationError
    from moto.autoscaling.models import AutoScalingBackend

    orig = AutoScalingBackend.terminate_instance

    def terminate_instance(self: Any, instance_id: str, should_decrement: bool) -> Any:
        if not any(s.instance.id == instance_id for g in self.autoscaling_groups.values() for s in g.instance_states):
            raise ValidationError(f"Instance Id not found - No managed instance found for instance ID: {instance_id}")
        return orig(self, instance_id, should_decrement)

    AutoScalingBackend.terminate_instance = terminate_instance  # type: ignore[method-assign]


# ------------------------------------------------------ ecsdeploy verify


@patch("not-implemented-answers")
def _not_implemented_answers() -> None:
    """IAM SimulatePrincipalPolicy and ECR GetDownloadUrlForLayer answer HTTP 400 NotImplemented at once, not HTTP 500 (retried by every SDK)."""
    from moto.ecr.responses import ECRResponse
    from moto.iam.responses import IamResponse

    def iam_simulate(self: Any) -> tuple[str, dict[str, Any]]:
        body = (
            '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
            "<Code>NotImplemented</Code><Message>moto does not implement SimulatePrincipalPolicy</Message></Error>"
            "<RequestId>not-implemented</RequestId></ErrorResponse>"
        )
        return body, {"status": 400, "Content-Type": "text/xml"}

    def ecr_layer_url(self: Any) -> tuple[str, dict[str, Any]]:
        body = json.dumps({"__type": "NotImplemented", "message": "moto does not implement GetDownloadUrlForLayer"})
        return body, {"status": 400, "Content-Type": "application/x-amz-json-1.1", "X-Amzn-ErrorType": "NotImplemented"}

    IamResponse.simulate_principal_policy = iam_simulate  # type: ignore[attr-defined]
    ECRResponse.get_download_url_for_layer = ecr_layer_url  # type: ignore[method-assign,assignment]


@patch("ecs-rolling-deployments")
def _ecs_rolling_deployments() -> None:
    """ECS UpdateService with a new task definition (or forceNewDeployment) starts a new PRIMARY deployment; the old one is ACTIVE until the rollout completes (after MOTO_ECS_ROLLOUT_SECONDS, default 0)."""
    from datetime import timedelta

    from moto.core.utils import utcnow
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.moto_api._internal import mock_random

    seconds = float(os.environ.get("MOTO_ECS_ROLLOUT_SECONDS", "0"))
    orig_update = EC2ContainerServiceBackend.update_service
    orig_describe = EC2ContainerServiceBackend.describe_services

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        wanted = service_properties.get("task_definition")
        forced = bool(service_properties.get("force_new_deployment"))
        cluster = service_properties.get("cluster", "default")
        name = str(service_properties.get("service", "")).split("/")[-1]
        before = None
        try:
            before = self._get_service(cluster, name)
        except Exception:  # noqa: BLE001 - orig_update raises the proper error
            pass
        old_td = before.task_definition if before is not None else None
        old = [dict(d) for d in (before.deployments if before is not None else [])]
        service = orig_update(self, service_properties)
        if not old or (not forced and (not wanted or service.task_definition == old_td)):
            return service
        now = utcnow()
        new_id = f"ecs-svc/{mock_random.randint(0, 32**12)}"
        primary = {
            **old[0],
            "id": new_id,
            "status": "PRIMARY",
            "taskDefinition": service.task_definition,
            "desiredCount": service.desired_count,
            "runningCount": 0,
            "pendingCount": service.desired_count,
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": f"ECS deployment {new_id} in progress.",
            "createdAt": now,
            "updatedAt": now,
        }
        previous = [{**d, "status": "ACTIVE", "updatedAt": now} for d in old if d.get("status") in ("PRIMARY", "ACTIVE")]
        service.deployments = [primary, *previous]
        return service

    def settle(service: Any) -> None:
        deployments = getattr(service, "deployments", None) or []
        primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
        if primary is None or primary.get("rolloutState") != "IN_PROGRESS":
            return
        if utcnow() - primary["createdAt"] < timedelta(seconds=seconds):
            return
        primary.update(
            {
                "rolloutState": "COMPLETED",
                "rolloutStateReason": f"ECS deployment {primary['id']} completed.",
                "runningCount": primary["desiredCount"],
                "pendingCount": 0,
                "updatedAt": utcnow(),
            }
        )
        service.deployments = [primary]

    def describe_services(self: Any, cluster_str: str, names: list[str]) -> Any:
        result, failures = orig_describe(self, cluster_str, names)
        for service in result:
            settle(service)
        return result, failures

    EC2ContainerServiceBackend.update_service = update_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.describe_services = describe_services  # type: ignore[method-assign]


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


# ------------------------------------------------------------------ snapshots
# Not a gap of moto's: a harness feature (test/README.md, "One applied environment for the e2e
# files"). The e2e global setup applies dev's registry and cluster once, saves moto's state with
# POST /moto-api/ecsdeploy/snapshot, and each e2e file that builds on it starts its own server with
# MOTO_RESTORE=<file>: the same resources, ids and ARNs, in a server nobody else touches. moto 5.2.1
# has no such thing (its recorder replays requests, which makes new ids; /moto-api/data.json cannot
# be loaded back).

SNAPSHOT_PATH = "/moto-api/ecsdeploy/snapshot"


def _new_defaultdict(cls: Any, factory: Any) -> Any:
    """A defaultdict (or a subclass with its own __init__, like SSM's ParameterDict) to fill."""
    from collections import defaultdict

    out = defaultdict.__new__(cls)
    defaultdict.__init__(out, factory)
    return out


class _NestedFactory:
    """A picklable `lambda: defaultdict(inner)` (SSM keeps one of those)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self) -> Any:
        from collections import defaultdict

        return defaultdict(self.inner)


def _load_certificate(pem: bytes) -> Any:
    from cryptography import x509

    return x509.load_pem_x509_certificate(pem)


def _load_private_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem, None)


def _load_public_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_public_key(pem)


def _crypto_reduce(obj: Any) -> Any:
    """Keys and certificates moto made (EC2 key pairs, ...) are Rust objects: saved as PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization as ser

    if isinstance(obj, x509.Certificate):
        return (_load_certificate, (obj.public_bytes(ser.Encoding.PEM),))
    if hasattr(obj, "private_bytes"):
        return (_load_private_key, (obj.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()),))
    if hasattr(obj, "public_bytes"):
        return (_load_public_key, (obj.public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo),))
    return NotImplemented


def _pickler(file: Any) -> Any:
    import pickle
    import threading
    from collections import defaultdict

    plain = (dict, list, set, int, str)
    lock_types = {type(threading.Lock()): threading.Lock, type(threading.RLock()): threading.RLock}

    def portable(factory: Any) -> Any:
        """A lambda factory (not picklable) as what it makes: `lambda: {}` → dict, ..."""
        if "<locals>" not in getattr(factory, "__qualname__", ""):
            return factory
        sample = factory()
        if isinstance(sample, defaultdict) and sample.default_factory in plain and not sample:
            return _NestedFactory(sample.default_factory)
        if type(sample) in plain and sample == type(sample)():
            return type(sample)
        raise TypeError(f"cannot snapshot a defaultdict of {factory.__qualname__}")

    class Pickler(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            make_lock = lock_types.get(type(obj))
            if make_lock is not None:  # locks hold no data: a new one on load
                return (make_lock, ())
            if type(obj).__module__.startswith("cryptography."):
                return _crypto_reduce(obj)
            if isinstance(obj, defaultdict):
                factory = portable(obj.default_factory)
                if type(obj) is defaultdict and factory is obj.default_factory:
                    return NotImplemented
                return (_new_defaultdict, (type(obj), factory), getattr(obj, "__dict__", None), None, iter(obj.items()))
            return NotImplemented

    return Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)


def _unpicklable(value: Any, path: str, depth: int = 0) -> list[str]:
    """Where in `value` the objects are that cannot be saved (to name them in the error)."""
    import io

    try:
        _pickler(io.BytesIO()).dump(value)
        return []
    except Exception as err:
        if depth >= 8:
            return [f"{path}: {type(err).__name__}: {err}"]
        if isinstance(value, dict):
            children = [(f"{path}[{k!r}]", v) for k, v in value.items()]
        elif isinstance(value, (list, tuple, set)):
            children = [(f"{path}[{i}]", v) for i, v in enumerate(value)]
        elif hasattr(value, "__dict__"):
            children = [(f"{path}.{k}", v) for k, v in vars(value).items()]
        else:
            children = []
        found = [p for child_path, child in children for p in _unpicklable(child, child_path, depth + 1)][:5]
        return found or [f"{path} ({type(value).__name__}): {type(err).__name__}: {err}"]


def _loaded_backends() -> dict[str, Any]:
    from moto.core.base_backend import BackendDict

    return {bd.service_name: bd for bd in BackendDict._instances if len(bd)}


def save_snapshot(path: str) -> int:
    """Pickle every backend in use (one pickle, so objects shared between services stay shared)."""
    import pickle

    from moto.core.base_backend import backend_lock

    with backend_lock:
        state = {name: dict(bd) for name, bd in _loaded_backends().items()}
        tmp = f"{path}.tmp"
        with open(tmp, "wb") as f:
            try:
                _pickler(f).dump(state)
            except (TypeError, AttributeError, pickle.PicklingError) as err:  # an object pickle cannot save
                where = "; ".join(_unpicklable(state, "backends"))
                raise TypeError(f"{err} (at {where})") from err
        os.replace(tmp, path)
    return len(state)


def restore_snapshot(path: str) -> int:
    import pickle

    from moto.backends import get_backend
    from moto.core.base_backend import BackendDict, backend_lock

    with open(path, "rb") as f:
        state: dict[str, dict[str, Any]] = pickle.load(f)
    with backend_lock:
        for name, accounts in state.items():
            bd = get_backend(name)  # type: ignore[call-overload]
            for account, backend in accounts.items():
                dict.__setitem__(bd, account, backend)
            if bd not in BackendDict._instances:
                BackendDict._instances.append(bd)
    return len(state)


def _snapshots(app: Any) -> Any:
    """WSGI wrapper: POST /moto-api/ecsdeploy/snapshot?path=FILE saves the state to FILE."""
    from urllib.parse import parse_qs

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") != SNAPSHOT_PATH:
            return app(environ, start_response)
        path = parse_qs(environ.get("QUERY_STRING", "")).get("path", [""])[0]
        if environ.get("REQUEST_METHOD") != "POST" or not path:
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"POST /moto-api/ecsdeploy/snapshot?path=FILE\n"]
        try:
            services = save_snapshot(path)
        except Exception as err:  # the caller shows it, with the server log
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [f"snapshot failed: {type(err).__name__}: {err}\n".encode()]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"path": path, "services": services}).encode()]

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

    restore = os.environ.get("MOTO_RESTORE")
    if restore:
        print(f"restored {restore_snapshot(restore)} services from {restore}", file=sys.stderr, flush=True)

    app: Any = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    app = _snapshots(app)
    if os.environ.get("MOTO_LOG_ERRORS"):
        app = _log_errors(app)
    print(f"moto {moto.__version__} (+{len(PATCHES)} patches) on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
