#!/usr/bin/env python3
"""Fast self-check of the launcher's patches (boto3 against a live server).

    python3 test/moto/check_patches.py              # starts test/moto/server.py itself
    python3 test/moto/check_patches.py http://127.0.0.1:5000
    MOTO_PATCHES_DISABLE=autoscaling-reconcile python3 test/moto/check_patches.py

Prints one PASS/FAIL line per gap; exits 1 if any check fails. Each check
reproduces, at the API level, what Terraform's AWS provider 5.100.0 needs.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any, Callable

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))


def start_server() -> tuple[str, subprocess.Popen[bytes]]:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "server.py"), "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
            return endpoint, proc
        except Exception:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto did not start")


def main() -> int:
    proc = None
    if len(sys.argv) > 1:
        endpoint = sys.argv[1]
    else:
        endpoint, proc = start_server()
    kw: dict[str, Any] = dict(
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    c = lambda svc: boto3.client(svc, **kw)  # noqa: E731
    ec2, ecs, asg, aas, cd, iam, sd = (
        c("ec2"),
        c("ecs"),
        c("autoscaling"),
        c("application-autoscaling"),
        c("codedeploy"),
        c("iam"),
        c("servicediscovery"),
    )

    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]

    def iam_managed() -> None:
        iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
        iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")

    def appautoscaling_tags() -> None:
        ecs.create_cluster(clusterName="chk")
        ecs.register_task_definition(family="chk", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
        ecs.create_service(cluster="chk", serviceName="svc", taskDefinition="chk", desiredCount=1)
        arn = aas.register_scalable_target(
            ServiceNamespace="ecs", ResourceId="service/chk/svc", ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=1, MaxCapacity=2, Tags={"a": "1"},
        )["ScalableTargetARN"]
        assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"a": "1"}
        aas.tag_resource(ResourceARN=arn, Tags={"b": "2"})
        aas.untag_resource(ResourceARN=arn, TagKeys=["a"])
        assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"b": "2"}

    def codedeploy() -> None:
        cd.create_application(applicationName="chk", computePlatform="ECS")
        # botocore also accepts ISO strings, the Go SDK does not: check the raw JSON.
        req = urllib.request.Request(
            endpoint + "/", data=json.dumps({"applicationName": "chk"}).encode(), method="POST",
            headers={"X-Amz-Target": "CodeDeploy_20141006.GetApplication", "Content-Type": "application/x-amz-json-1.1",
                     "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/codedeploy/aws4_request, SignedHeaders=host, Signature=x"},
        )
        created = json.load(urllib.request.urlopen(req))["application"]["createTime"]
        assert isinstance(created, (int, float)), f"createTime is {created!r}"
        cd.create_deployment_group(applicationName="chk", deploymentGroupName="g", serviceRoleArn="arn:aws:iam::123456789012:role/x")
        cd.delete_deployment_group(applicationName="chk", deploymentGroupName="g")
        cd.delete_application(applicationName="chk")
        assert "chk" not in cd.list_applications()["applications"]

    def ecs_fields() -> None:
        ecs.put_cluster_capacity_providers(cluster="chk", capacityProviders=["FARGATE"], defaultCapacityProviderStrategy=[])
        ecs.create_service(
            cluster="chk", serviceName="full", taskDefinition="chk", desiredCount=1,
            capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
            healthCheckGracePeriodSeconds=30, availabilityZoneRebalancing="ENABLED",
            enableECSManagedTags=True, enableExecuteCommand=True,
            placementConstraints=[{"type": "distinctInstance"}],
            placementStrategy=[{"type": "binpack", "field": "memory"}],
            deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 150, "minimumHealthyPercent": 50},
        )
        ecs.update_service(cluster="chk", service="full", desiredCount=2, enableExecuteCommand=False)
        s = ecs.describe_services(cluster="chk", services=["full"])["services"][0]
        assert s["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}], s
        assert s["healthCheckGracePeriodSeconds"] == 30 and s["availabilityZoneRebalancing"] == "ENABLED"
        assert s["enableECSManagedTags"] is True and s["enableExecuteCommand"] is False
        assert s["placementConstraints"] and s["placementStrategy"]
        assert s["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert "launchType" not in s, s.get("launchType")

    def ecs_network() -> None:
        s = ecs.describe_services(cluster="chk", services=["svc"])["services"][0]
        assert "networkConfiguration" not in s, s["networkConfiguration"]

    def launch_template_tags() -> None:
        lt = ec2.create_launch_template(
            LaunchTemplateName="chk", LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.small"},
            TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "k", "Value": "v"}]}],
        )["LaunchTemplate"]
        data = ec2.describe_launch_template_versions(LaunchTemplateId=lt["LaunchTemplateId"])["LaunchTemplateVersions"][0]["LaunchTemplateData"]
        assert "TagSpecifications" not in data, data["TagSpecifications"]
        assert lt["Tags"] == [{"Key": "k", "Value": "v"}]

    def launch_template_version_user_data() -> None:
        import base64

        ec2.create_launch_template(LaunchTemplateName="chk-ud", LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.small", "UserData": base64.b64encode(b"#!/bin/bash\necho 1").decode()})
        ec2.create_launch_template_version(LaunchTemplateName="chk-ud", SourceVersion="1", LaunchTemplateData={"InstanceType": "t3.medium", "UserData": base64.b64encode(b"#!/bin/bash\necho 2").decode()})
        asg.create_auto_scaling_group(
            AutoScalingGroupName="chk-ud", MinSize=1, MaxSize=2, DesiredCapacity=1, VPCZoneIdentifier=subnet,
            LaunchTemplate={"LaunchTemplateName": "chk-ud", "Version": "$Latest"},
        )
        # Launching from version 2 failed with HTTP 500 before the patch.
        asg.set_desired_capacity(AutoScalingGroupName="chk-ud", DesiredCapacity=2)
        got = ec2.describe_launch_template_versions(LaunchTemplateName="chk-ud", Versions=["2"])["LaunchTemplateVersions"][0]["LaunchTemplateData"]["UserData"]
        assert base64.b64decode(got) == b"#!/bin/bash\necho 2", got
        asg.delete_auto_scaling_group(AutoScalingGroupName="chk-ud", ForceDelete=True)

    def asg_reconcile() -> None:
        asg.create_auto_scaling_group(
            AutoScalingGroupName="chk", MinSize=1, MaxSize=2, DesiredCapacity=1, VPCZoneIdentifier=subnet,
            LaunchTemplate={"LaunchTemplateName": "chk", "Version": "$Latest"}, NewInstancesProtectedFromScaleIn=True,
        )
        # What the provider does before DeleteAutoScalingGroup (drainGroup):
        asg.update_auto_scaling_group(AutoScalingGroupName="chk", MinSize=0, MaxSize=0, DesiredCapacity=0)
        ids = [i["InstanceId"] for i in asg.describe_auto_scaling_groups(AutoScalingGroupNames=["chk"])["AutoScalingGroups"][0]["Instances"]]
        asg.set_instance_protection(AutoScalingGroupName="chk", InstanceIds=ids, ProtectedFromScaleIn=False)
        left = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["chk"])["AutoScalingGroups"][0]["Instances"]
        assert not left, f"{len(left)} instance(s) still in the group"

    def asg_warmup() -> None:
        asg.create_auto_scaling_group(
            AutoScalingGroupName="warm", MinSize=0, MaxSize=1, DesiredCapacity=0, VPCZoneIdentifier=subnet,
            LaunchTemplate={"LaunchTemplateName": "chk", "Version": "$Latest"}, DefaultInstanceWarmup=60,
        )
        get = lambda: asg.describe_auto_scaling_groups(AutoScalingGroupNames=["warm"])["AutoScalingGroups"][0]  # noqa: E731
        assert get().get("DefaultInstanceWarmup") == 60, get().get("DefaultInstanceWarmup")
        asg.update_auto_scaling_group(AutoScalingGroupName="warm", DefaultInstanceWarmup=90)
        assert get().get("DefaultInstanceWarmup") == 90, get().get("DefaultInstanceWarmup")

    def sg_rule_description() -> None:
        a = ec2.create_security_group(GroupName="chk-a", Description="a", VpcId=vpc)["GroupId"]
        b = ec2.create_security_group(GroupName="chk-b", Description="b", VpcId=vpc)["GroupId"]
        # What aws_vpc_security_group_ingress_rule with referenced_security_group_id sends:
        rule = ec2.authorize_security_group_ingress(
            GroupId=a, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "UserIdGroupPairs": [{"GroupId": b, "Description": "from b"}]}],
        )["SecurityGroupRules"][0]["SecurityGroupRuleId"]
        got = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule])["SecurityGroupRules"][0]
        assert got.get("Description") == "from b", got

    def ecs_pagination() -> None:
        ecs.create_cluster(clusterName="pages")
        for n in range(3):
            ecs.create_service(cluster="pages", serviceName=f"s{n}", desiredCount=0)
        first = ecs.list_services(cluster="pages", maxResults=2)
        assert len(first["serviceArns"]) == 2 and first.get("nextToken"), first
        second = ecs.list_services(cluster="pages", maxResults=2, nextToken=first["nextToken"])
        assert len(second["serviceArns"]) == 1 and not second.get("nextToken"), second

    def asg_instance_version() -> None:
        ec2.create_launch_template(LaunchTemplateName="ver", LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})
        asg.create_auto_scaling_group(
            AutoScalingGroupName="ver", MinSize=1, MaxSize=2, DesiredCapacity=1, VPCZoneIdentifier=subnet,
            LaunchTemplate={"LaunchTemplateName": "ver", "Version": "$Latest"},
        )
        ec2.create_launch_template_version(LaunchTemplateName="ver", SourceVersion="1", LaunchTemplateData={"InstanceType": "t3.small"})
        asg.set_desired_capacity(AutoScalingGroupName="ver", DesiredCapacity=2)
        versions = sorted(i["LaunchTemplate"]["Version"] for i in asg.describe_auto_scaling_groups(AutoScalingGroupNames=["ver"])["AutoScalingGroups"][0]["Instances"])
        assert versions == ["1", "2"], versions

    def codedeploy_configs_and_alarms() -> None:
        cd.create_application(applicationName="chk-bg", computePlatform="ECS")
        routing = {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5}}
        cd.create_deployment_config(deploymentConfigName="chk-canary", computePlatform="ECS", trafficRoutingConfig=routing)
        info = cd.get_deployment_config(deploymentConfigName="chk-canary")["deploymentConfigInfo"]
        assert info["computePlatform"] == "ECS" and info["trafficRoutingConfig"] == routing, info
        alarms = {"enabled": True, "ignorePollAlarmFailure": False, "alarms": [{"name": "chk-5xx"}]}
        cd.create_deployment_group(
            applicationName="chk-bg", deploymentGroupName="g", serviceRoleArn="arn:aws:iam::123456789012:role/x",
            deploymentConfigName="chk-canary", alarmConfiguration=alarms,
        )
        got = cd.get_deployment_group(applicationName="chk-bg", deploymentGroupName="g")["deploymentGroupInfo"]
        assert got["alarmConfiguration"] == alarms, got["alarmConfiguration"]
        cd.update_deployment_group(applicationName="chk-bg", currentDeploymentGroupName="g", deploymentConfigName="CodeDeployDefault.ECSAllAtOnce")
        got = cd.get_deployment_group(applicationName="chk-bg", deploymentGroupName="g")["deploymentGroupInfo"]
        assert got["deploymentConfigName"] == "CodeDeployDefault.ECSAllAtOnce" and got["alarmConfiguration"] == alarms, got
        cd.delete_deployment_config(deploymentConfigName="chk-canary")

    def ecs_service_connect() -> None:
        op = sd.create_http_namespace(Name="chk.internal")["OperationId"]
        ns_id = sd.get_operation(OperationId=op)["Operation"]["Targets"]["NAMESPACE"]
        ns_arn = sd.get_namespace(Id=ns_id)["Namespace"]["Arn"]
        ecs.create_cluster(clusterName="mesh", serviceConnectDefaults={"namespace": ns_arn})
        conf = {
            "enabled": True, "namespace": ns_arn,
            "services": [{"portName": "http", "discoveryName": "orders", "clientAliases": [{"port": 8080, "dnsName": "orders"}]}],
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/sc"}},
        }
        ecs.create_service(cluster="mesh", serviceName="orders", taskDefinition="chk", desiredCount=0, serviceConnectConfiguration=conf)
        ecs.update_service(cluster="mesh", service="orders", desiredCount=1)  # without it: kept
        d = ecs.describe_services(cluster="mesh", services=["orders"])["services"][0]["deployments"][0]
        assert d.get("serviceConnectConfiguration") == conf, d.get("serviceConnectConfiguration")
        res = d.get("serviceConnectResources") or []
        cloud_map = {s["Arn"]: s["Name"] for s in sd.list_services()["Services"]}
        assert [r["discoveryName"] for r in res] == ["orders"] and cloud_map.get(res[0]["discoveryArn"]) == "orders", (res, cloud_map)
        ecs.delete_service(cluster="mesh", service="orders", force=True)
        assert not sd.list_services()["Services"], "Cloud Map service left after DeleteService"

    def ecs_rolling_deployments() -> None:
        ecs = c("ecs")
        ecs.create_cluster(clusterName="rolling")
        tds = [
            ecs.register_task_definition(family="rolling", containerDefinitions=[{"name": "w", "image": i, "memory": 64}])[
                "taskDefinition"
            ]["taskDefinitionArn"]
            for i in ("a", "b")
        ]
        ecs.create_service(cluster="rolling", serviceName="r", taskDefinition=tds[0], desiredCount=0)
        ecs.update_service(cluster="rolling", service="r", taskDefinition=tds[1])
        deployments = ecs.describe_services(cluster="rolling", services=["r"])["services"][0]["deployments"]
        # MOTO_ECS_ROLLOUT_SECONDS defaults to 0: the new deployment completes at the first describe.
        assert [(d["status"], d["taskDefinition"], d["rolloutState"]) for d in deployments] == [
            ("PRIMARY", tds[1], "COMPLETED")
        ], deployments

    def not_implemented_answers() -> None:
        from botocore.exceptions import ClientError

        ecr = c("ecr")
        ecr.create_repository(repositoryName="chk/verify")
        for call in (
            lambda: iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::123456789012:role/x", ActionNames=["s3:GetObject"]),
            lambda: ecr.get_download_url_for_layer(repositoryName="chk/verify", layerDigest="sha256:" + "0" * 64),
        ):
            try:
                call()
                raise AssertionError("expected an error")
            except ClientError as e:
                status, code = e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]
                assert (status, code) == (400, "NotImplemented"), (status, code)

    def codedeploy_ecs_deployments() -> None:
        ecs.create_cluster(clusterName="bg")
        td = ecs.register_task_definition(family="bg", containerDefinitions=[{"name": "w", "image": "a", "memory": 64}])[
            "taskDefinition"
        ]["taskDefinitionArn"]
        ecs.create_service(cluster="bg", serviceName="bg", taskDefinition=td, desiredCount=1, deploymentController={"type": "CODE_DEPLOY"})
        cd.create_application(applicationName="bg", computePlatform="ECS")
        for group, rollback in (("ok", False), ("rb", True)):
            cd.create_deployment_group(
                applicationName="bg", deploymentGroupName=group, serviceRoleArn="arn:aws:iam::123456789012:role/x",
                ecsServices=[{"clusterName": "bg", "serviceName": "bg"}],
                autoRollbackConfiguration={"enabled": rollback, "events": ["DEPLOYMENT_FAILURE"]},
            )

        def deploy(group: str, task_definition: str) -> str:
            spec = {"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {"TaskDefinition": task_definition}}}]}
            return cd.create_deployment(
                applicationName="bg", deploymentGroupName=group,
                revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(spec)}},
            )["deploymentId"]

        # MOTO_CODEDEPLOY_SECONDS defaults to 0: done at the first read.
        ok = cd.get_deployment(deploymentId=deploy("ok", td))["deploymentInfo"]
        assert ok["status"] == "Succeeded", ok["status"]
        targets = cd.list_deployment_targets(deploymentId=ok["deploymentId"])["targetIds"]
        ecs_target = cd.batch_get_deployment_targets(deploymentId=ok["deploymentId"], targetIds=targets)["deploymentTargets"][0]["ecsTarget"]
        assert targets == ["bg:bg"] and ecs_target["status"] == "Succeeded" and len(ecs_target["lifecycleEvents"]) == 9, ecs_target
        failed = cd.get_deployment(deploymentId=deploy("rb", td + "9"))["deploymentInfo"]
        assert failed["status"] == "Failed" and failed["errorInformation"]["code"] == "ECS_UPDATE_ERROR", failed
        again = cd.get_deployment(deploymentId=failed["rollbackInfo"]["rollbackDeploymentId"])["deploymentInfo"]
        assert again["creator"] == "codeDeployRollback" and again["status"] == "Succeeded", again

    def autoscaling_terminate_unknown_instance() -> None:
        from botocore.exceptions import ClientError

        try:
            asg.terminate_instance_in_auto_scaling_group(InstanceId="i-00000000000000000", ShouldDecrementDesiredCapacity=False)
            raise AssertionError("expected an error")
        except ClientError as e:
            status, code = e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]
            assert (status, code) == (400, "ValidationError"), (status, code)

    checks: list[tuple[str, Callable[[], None]]] = [
        ("iam-managed-policies", iam_managed),
        ("appautoscaling-tags", appautoscaling_tags),
        ("codedeploy-epoch-and-deletes", codedeploy),
        ("ecs-service-fields", ecs_fields),
        ("ecs-no-empty-network-configuration", ecs_network),
        ("ec2-launch-template-tags", launch_template_tags),
        ("ec2-launch-template-version-user-data", launch_template_version_user_data),
        ("autoscaling-reconcile", asg_reconcile),
        ("ec2-security-group-rule-description", sg_rule_description),
        ("autoscaling-default-instance-warmup", asg_warmup),
        ("ecs-list-pagination", ecs_pagination),
        ("autoscaling-instance-launch-template-version", asg_instance_version),
        ("codedeploy-deployment-configs-and-alarms", codedeploy_configs_and_alarms),
        ("ecs-service-connect", ecs_service_connect),
        ("not-implemented-answers", not_implemented_answers),
        ("ecs-rolling-deployments", ecs_rolling_deployments),
        ("codedeploy-ecs-deployments", codedeploy_ecs_deployments),
        ("autoscaling-terminate-unknown-instance", autoscaling_terminate_unknown_instance),
    ]
    failed = 0
    try:
        for name, fn in checks:
            try:
                fn()
                print(f"PASS {name}")
            except Exception as exc:  # noqa: BLE001
                failed += 1
                print(f"FAIL {name}: {type(exc).__name__}: {str(exc)[:300]}")
    finally:
        if proc:
            proc.terminate()
            proc.wait(10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
