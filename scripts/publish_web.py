"""Publish web/ to the deployed stack's bucket and refresh CloudFront.

Usage: python scripts/publish_web.py [--stack-name NAME] [--region REGION] [--delete] [--wait]

Reads the stack's outputs WebBucketName and DistributionId, uploads every file under web/
with its Content-Type, then invalidates /* so that CloudFront serves the new pages at once.
The stack name, region and profile come from samconfig (written by `sam deploy --guided`)
unless given on the command line. `make deploy` runs this after `sam deploy`.
"""

from __future__ import annotations

import argparse
import mimetypes
import sys
import time
import tomllib
import uuid
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

ROOT = Path(__file__).resolve().parents[1]
WEB_DIR = ROOT / "web"
# Where `sam deploy --guided` may have saved its answers: next to the template it was given.
SAMCONFIG_DIRS = (Path.cwd(), ROOT, ROOT / "infra", ROOT / ".aws-sam" / "build")
SAMCONFIG_NAMES = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")

# Explicit types for what the pages use; text types carry their charset. Anything else falls
# back to the mimetypes table, then to application/octet-stream (with a warning).
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


class PublishError(Exception):
    """Stops the publication with a message for the person running it."""


def content_type(path: Path) -> str:
    known = CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    if guessed:
        return guessed
    print(f"warning: unknown type for {path.name}; uploading as application/octet-stream", file=sys.stderr)
    return "application/octet-stream"


def web_files(web_dir: Path) -> list[tuple[Path, str]]:
    """(file, object key) for every file to publish; hidden files are left out."""
    files = []
    for path in sorted(web_dir.rglob("*")):
        relative = path.relative_to(web_dir)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            files.append((path, relative.as_posix()))
    return files


def read_samconfig(config_file: Path | None) -> tuple[Path | None, dict[str, Any]]:
    candidates = [config_file] if config_file else [d / n for d in SAMCONFIG_DIRS for n in SAMCONFIG_NAMES]
    for candidate in candidates:
        if candidate.is_file():
            if candidate.suffix == ".toml":
                return candidate, tomllib.loads(candidate.read_text(encoding="utf-8"))
            import yaml  # noqa: PLC0415 - only samconfig.yaml needs it; PyYAML comes with the SAM CLI

            return candidate, yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
    if config_file:
        raise PublishError(f"{config_file} does not exist.")
    return None, {}


def deploy_parameters(config: dict[str, Any], environment: str) -> dict[str, Any]:
    """samconfig's deploy parameters for one environment, over its global ones."""
    section = config.get(environment) or {}
    merged: dict[str, Any] = {}
    for command in ("global", "deploy"):
        merged.update((section.get(command) or {}).get("parameters") or {})
    return merged


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        raise PublishError(f"cannot read stack {stack_name!r}: {error.response['Error']['Message']}") from error
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    missing = {"WebBucketName", "DistributionId"} - outputs.keys()
    if missing:
        names = ", ".join(sorted(missing))
        raise PublishError(f"stack {stack_name!r} has no output {names}; is it this portal's stack?")
    return outputs


def stale_keys(s3: Any, bucket: str, keep: set[str]) -> list[str]:
    stale: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        stale.extend(item["Key"] for item in page.get("Contents", []) if item["Key"] not in keep)
    return stale


def publish(args: argparse.Namespace) -> None:
    files = web_files(args.web_dir)
    if not files:
        raise PublishError(f"{args.web_dir} has no files to publish.")

    config_path, config = read_samconfig(args.config_file)
    parameters = deploy_parameters(config, args.config_env)
    stack_name = args.stack_name or parameters.get("stack_name")
    if not stack_name:
        where = f"in {config_path}" if config_path else "(no samconfig found; run `sam deploy --guided` first)"
        raise PublishError(f"no stack name: pass --stack-name, or set stack_name {where}.")
    region = args.region or parameters.get("region")
    profile = args.profile or parameters.get("profile")

    if args.dry_run:
        print(f"stack {stack_name} (region {region or 'from the AWS configuration'}): would upload")
        for path, key in files:
            print(f"  {key:<40} {content_type(path)}")
        return

    session = boto3.Session(region_name=region, profile_name=profile)
    outputs = stack_outputs(session.client("cloudformation"), stack_name)
    bucket, distribution = outputs["WebBucketName"], outputs["DistributionId"]
    s3 = session.client("s3")

    print(f"publishing {len(files)} files to s3://{bucket} (stack {stack_name})")
    for path, key in files:
        kind = content_type(path)
        # No Cache-Control here: CloudFront's response headers policy adds `no-store` for
        # browsers, and the invalidation below refreshes CloudFront's own copy.
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": kind})
        print(f"  {key:<40} {kind}")

    if args.delete:
        stale = stale_keys(s3, bucket, {key for _, key in files})
        for start in range(0, len(stale), 1000):
            batch = [{"Key": key} for key in stale[start : start + 1000]]
            s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        for key in stale:
            print(f"  removed {key} (the bucket is versioned: earlier versions stay recoverable)")

    cloudfront = session.client("cloudfront")
    invalidation = cloudfront.create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"publish-web-{int(time.time())}-{uuid.uuid4().hex[:8]}",
        },
    )["Invalidation"]
    print(f"invalidation {invalidation['Id']} of /* on distribution {distribution}: {invalidation['Status']}")
    if args.wait:
        print("waiting for CloudFront to finish (usually a minute or two)...")
        cloudfront.get_waiter("invalidation_completed").wait(DistributionId=distribution, Id=invalidation["Id"])
        print("done: the new pages are live")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack-name", help="the stack to publish to (default: stack_name from samconfig)")
    parser.add_argument("--region", help="AWS region (default: region from samconfig, else the AWS configuration)")
    parser.add_argument("--profile", help="AWS profile (default: profile from samconfig, else the AWS configuration)")
    parser.add_argument("--config-file", type=Path, help="samconfig file (default: samconfig.toml found by sam)")
    parser.add_argument("--config-env", default="default", help="samconfig environment (default: default)")
    parser.add_argument("--web-dir", type=Path, default=WEB_DIR, help="folder to publish (default: web/)")
    parser.add_argument("--delete", action="store_true", help="also remove objects that are no longer in web/")
    parser.add_argument("--wait", action="store_true", help="wait until the invalidation has completed")
    parser.add_argument("--dry-run", action="store_true", help="list what would be uploaded; no AWS calls")
    args = parser.parse_args(argv)
    try:
        publish(args)
    except PublishError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as error:
        print(f"error: AWS refused or could not be reached: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
