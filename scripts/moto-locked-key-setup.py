# Sets up, in a running moto server, a readable key and a key whose policy denies everyone but KeyAdmin.
import boto3, json, os
kw=dict(endpoint_url=f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '5077')}", region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')
kms=boto3.client('kms', **kw)
iam=boto3.client('iam', **kw)
acct='123456789012'
iam.create_role(RoleName='KeywardenMemberRole', AssumeRolePolicyDocument=json.dumps({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}))
readable=kms.create_key(Description='readable')['KeyMetadata']['KeyId']
locked_policy={"Version":"2012-10-17","Statement":[
 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":f"arn:aws:iam::{acct}:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"DenyAllButKeyAdmin","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*",
  "Condition":{"StringNotEquals":{"aws:PrincipalArn":f"arn:aws:iam::{acct}:role/KeyAdmin"}}}]}
locked=kms.create_key(Description='locked', Policy=json.dumps(locked_policy))['KeyMetadata']['KeyId']
kms.schedule_key_deletion(KeyId=locked, PendingWindowInDays=7)
print('readable', readable, 'locked', locked)
