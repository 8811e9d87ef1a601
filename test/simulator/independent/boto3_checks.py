"""What an independent AWS client (boto3/botocore) sees from the simulator.

Run by independent-clients.test.ts with SIM_ENDPOINT, SIM_HUB_KEY, SIM_HUB_SECRET, SIM_MEMBER,
SIM_OTHER, SIM_SUSPENDED and SIM_EXTERNAL_ID in the environment. Prints one JSON object: each check's
outcome (the error code AWS answered, or what the call returned); the test decides what is right.
"""
import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["SIM_ENDPOINT"]
HUB = (os.environ["SIM_HUB_KEY"], os.environ["SIM_HUB_SECRET"], None)
# Client-side validation off: the point is what the server answers to what AWS would refuse.
CONFIG = Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})


def client(service, creds, region="us-east-1"):
    key, secret, token = creds
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=CONFIG,
    )


def outcome(call):
    """The error code and HTTP status, or 'ok' and the result."""
    try:
        return {"ok": True, "result": call()}
    except ClientError as error:
        return {
            "code": error.response["Error"]["Code"],
            "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
            "message": error.response["Error"].get("Message", ""),
        }


def assume(creds, account, external_id=os.environ["SIM_EXTERNAL_ID"]):
    response = client("sts", creds).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/KeywardenMemberRole",
        RoleSessionName="boto3-check",
        ExternalId=external_id,
    )
    c = response["Credentials"]
    return (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


member_account = os.environ["SIM_MEMBER"]
member = assume(HUB, member_account)
results = {}

results["hub_identity"] = outcome(lambda: client("sts", HUB).get_caller_identity()["Account"])
results["wrong_secret"] = outcome(
    lambda: client("sts", (HUB[0], HUB[1] + "x", None)).get_caller_identity()
)
results["kms_wrong_secret"] = outcome(
    lambda: client("kms", (member[0], "x" * 40, member[2])).list_keys()
)
results["member_kms"] = outcome(lambda: len(client("kms", member).list_keys()["Keys"]))
results["no_token"] = outcome(lambda: client("kms", (member[0], member[1], None)).list_keys())
results["wrong_token"] = outcome(
    lambda: client("sts", (member[0], member[1], "forged")).get_caller_identity()
)
results["member_assumes_other"] = outcome(lambda: assume(member, os.environ["SIM_OTHER"]))
results["wrong_external_id"] = outcome(lambda: assume(HUB, os.environ["SIM_OTHER"], "not-it"))
results["suspended"] = outcome(lambda: assume(HUB, os.environ["SIM_SUSPENDED"]))

product = f"arn:aws:securityhub:us-east-1:{member_account}:product/{member_account}/default"


def finding(fid, **overrides):
    base = {
        "SchemaVersion": "2018-10-08",
        "Id": fid,
        "ProductArn": product,
        "GeneratorId": "boto3/check",
        "AwsAccountId": member_account,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2026-01-01T00:00:00Z",
        "UpdatedAt": "2026-01-01T00:00:00Z",
        "Severity": {"Label": "LOW"},
        "Title": "boto3 check",
        "Description": "boto3 check",
        "Resources": [{"Type": "AwsKmsKey", "Id": "arn:aws:kms:us-east-1:111122223333:key/x"}],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


malformed = {
    "schema": finding("schema", SchemaVersion="2019-01-01"),
    "blank_title": finding("blank_title", Title="   "),
    "numeric_title": finding("numeric_title", Title=7),
    "severe": finding("severe", Severity={"Label": "SEVERE"}),
    "compliance_ok": finding("compliance_ok", Compliance={"Status": "OK"}),
    "deleted": finding("deleted", RecordState="DELETED"),
    "bogus_workflow": finding("bogus_workflow", Workflow={"Status": "BOGUS"}),
    "bad_date": finding("bad_date", UpdatedAt="not a date"),
    "foo_type": finding("foo_type", Types=["Foo"]),
    "types_51": finding("types_51", Types=[f"Effects/Data Exposure/T{i}" for i in range(51)]),
    "no_resource_type": finding("no_resource_type", Resources=[{"Id": "r"}]),
    "resources_33": finding(
        "resources_33", Resources=[{"Type": "Other", "Id": f"r{i}"} for i in range(33)]
    ),
    "moon": finding("moon", Resources=[{"Type": "Other", "Id": "r", "Partition": "aws-moon"}]),
    "fields_51": finding("fields_51", ProductFields={f"k{i}": "v" for i in range(51)}),
}
hub = client("securityhub", member)
response = hub.batch_import_findings(
    Findings=list(malformed.values()) + [finding("valid")]
)
results["import"] = {
    "success": response["SuccessCount"],
    "failed": {f["Id"]: f["ErrorCode"] for f in response["FailedFindings"]},
}
# (ComplianceStatus as a string cannot leave botocore's serialiser: fidelity of that answer is
# checked with raw requests in securityhub-strict.test.ts.)
results["unknown_comparison"] = outcome(
    lambda: hub.get_findings(Filters={"Id": [{"Value": "valid", "Comparison": "LIKE"}]})
)
results["kms_limit_1001"] = outcome(lambda: client("kms", member).list_keys(Limit=1001))
results["iam_max_items_0"] = outcome(
    lambda: client("iam", member).get_account_authorization_details(MaxItems=0)
)
results["orgs_max_results_21"] = outcome(
    lambda: client("organizations", HUB).list_accounts(MaxResults=21)
)
results["regions"] = outcome(
    lambda: {
        r["RegionName"]: r["OptInStatus"]
        for r in client("ec2", member).describe_regions(AllRegions=True)["Regions"]
    }
)
print(json.dumps(results))
