"""A globus-sdk 3 program, run by that SDK's own interpreter (not the project's), doing what
the original Tapis GlobusProxy (globus-sdk 3.34) did: a refresh-token authorizer, autoactivate
when an endpoint says it is not activated, then ls, mkdir and a recursive transfer.

Reads {"client_id", "refresh_token", "source", "destination", "directory"} as JSON on stdin
(never argv, where tokens would show) and prints one JSON document of what it saw.
"""

import json
import sys
import time

import globus_sdk

job = json.load(sys.stdin)
auth = globus_sdk.NativeAppAuthClient(job["client_id"])
tc = globus_sdk.TransferClient(
    authorizer=globus_sdk.RefreshTokenAuthorizer(job["refresh_token"], auth)
)
seen = {"version": globus_sdk.__version__, "autoactivate": {}}
for endpoint_id in (job["source"], job["destination"]):
    if not tc.get_endpoint(endpoint_id)["activated"]:
        answer = tc.endpoint_autoactivate(endpoint_id, if_expires_in=3600)
        seen["autoactivate"][endpoint_id] = [answer["code"], answer["message"]]
seen["ls"] = [
    [e["name"], e["type"], e["size"]] for e in tc.operation_ls(job["source"], path="/data1/")
]
directory = job["directory"]
seen["mkdir"] = tc.operation_mkdir(job["destination"], directory)["code"]
data = globus_sdk.TransferData(
    tc, job["source"], job["destination"], label="globus-sdk 3", sync_level="checksum"
)
data.add_item("/data1/tree/", f"{directory}/tree/", recursive=True)
submitted = tc.submit_transfer(data)
seen["submitted"] = submitted["code"]
deadline = time.monotonic() + 60
while tc.get_task(submitted["task_id"])["status"] == "ACTIVE" and time.monotonic() < deadline:
    time.sleep(0.1)
seen["status"] = tc.get_task(submitted["task_id"])["status"]
print(json.dumps(seen))
