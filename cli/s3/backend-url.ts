// The Pulumi backend URL of an S3-compatible server. The Pulumi CLI opens it with gocloud.dev's s3blob
// (v0.46), which takes these query parameters: `endpoint` (the server, scheme included, so no
// `disable_https` is needed), `use_path_style=true` (the bucket in the path: a local server has no
// per-bucket host names) and `region` (what requests are signed for). Credentials come from
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, never from the URL.
//
// No `request_checksum_calculation=when_required`: that parameter exists for S3 servers that refuse
// the AWS SDK's default request checksums (aws-chunked bodies with a trailing CRC). versitygw accepts
// them (the state backend test uploads one), and this toolchain's Pulumi CLI sends its state as
// plain signed PUTs anyway, so the parameter would change nothing here but the URL.

export interface S3BackendLocation {
    bucket: string;
    /** `http://HOST:PORT` (or https). */
    endpoint: string;
    region: string;
}

export const DEFAULT_S3_REGION = "us-east-1";

export function s3BackendUrl({ bucket, endpoint, region }: S3BackendLocation): string {
    // The values go into the query as they are, so the URL reads as typed; one holding a query
    // delimiter would change its meaning, so it is refused instead.
    if (!/^https?:\/\/[^\s?&#]+$/.test(endpoint)) throw new Error(`S3 endpoint "${endpoint}" must be http(s)://HOST[:PORT] without a query`);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`"${bucket}" is not an S3 bucket name`);
    if (!/^[a-z0-9-]+$/.test(region)) throw new Error(`"${region}" is not an AWS region name`);
    return `s3://${bucket}?endpoint=${endpoint.replace(/\/+$/, "")}&use_path_style=true&region=${region}`;
}
