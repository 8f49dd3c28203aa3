"""A Python stack using the StreamingRestApi component (see Pulumi.yaml for setting it up)."""

import pulumi
import pulumi_streaming_rest_api as streaming

api = streaming.StreamingRestApi(
    "numbers",
    # Relative to this directory, where `pulumi up` runs the program.
    handler="../handler.ts",
    memory_size=256,
    timeout=120,
    architecture=streaming.Architecture.ARM64,
    environment={"GREETING": "hello"},
    path="numbers",
    method=streaming.HttpMethod.GET,
    authorization=streaming.Authorization.AWS_IAM,
    log_format=streaming.LogFormat.JSON,
    application_log_level=streaming.ApplicationLogLevel.INFO,
    binary_media_types=["image/png", "application/octet-stream"],
    throttle=streaming.ThrottleArgs(rate_limit=20, burst_limit=40),
    access_logging=streaming.AccessLoggingArgs(retention_in_days=30),
    bundle=streaming.BundleArgs(minify=True, sourcemap=True),
)

pulumi.export("url", api.url)
pulumi.export("functionArn", api.function_arn)
pulumi.export("functionName", api.function_name)
