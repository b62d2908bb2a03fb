// Which kubeconfigs are served without client-node (a plain context: inline or absolute-path
// certificates, a token, basic auth, impersonation) and what their requests carry; everything else
// (exec plugins, auth providers, relative files, proxies, unknown fields) is left to client-node.
import { mkdtempSync, writeFileSync } from "node:fs";
import type { RequestOptions } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { httpsConfigOf, plainHttpsConfig } from "../../components/cluster/https-config";

const kubeconfig = (cluster: Record<string, unknown>, user: Record<string, unknown>) =>
    stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": "c",
        contexts: [{ name: "c", context: { cluster: "k", user: "u" } }],
        clusters: [{ name: "k", cluster }],
        users: [{ name: "u", user }],
    });

const server = "https://127.0.0.1:6443";

describe("plain kubeconfigs", () => {
    it("a token, impersonation and TLS settings reach the request", async () => {
        const config = plainHttpsConfig(kubeconfig({ server, "insecure-skip-tls-verify": true }, { token: "t0k3n", as: "system:serviceaccount:shop:deployer" }))!;
        expect(config).toBeDefined();
        expect(config.getCurrentCluster()).toEqual({ server });
        const options: RequestOptions = { headers: { Accept: "application/json" } };
        await config.applyToHTTPSOptions(options);
        expect(options.headers).toEqual({ Accept: "application/json", Authorization: "Bearer t0k3n", "Impersonate-User": "system:serviceaccount:shop:deployer" });
        expect(options.agent).toBeDefined();
        const again: RequestOptions = {};
        await config.applyToHTTPSOptions(again);
        // One keep-alive pool per kubeconfig: the second request reuses the first one's connection.
        expect(again.agent).toBe(options.agent);
    });

    it("basic auth and certificates from absolute paths", async () => {
        const dir = mkdtempSync(join(tmpdir(), "syncwave-kc-"));
        writeFileSync(join(dir, "ca.crt"), "not a real certificate");
        const config = plainHttpsConfig(kubeconfig({ server, "certificate-authority": join(dir, "ca.crt") }, { username: "admin", password: "secret" }))!;
        const options: RequestOptions = {};
        await config.applyToHTTPSOptions(options);
        expect(options.auth).toBe("admin:secret");
    });

    it.each([
        ["an exec plugin", { server }, { exec: { command: "aws", args: ["eks", "get-token"] } }],
        ["an auth provider", { server }, { "auth-provider": { name: "oidc" } }],
        ["a relative certificate path", { server, "certificate-authority": "ca.crt" }, {}],
        ["a proxy", { server, "proxy-url": "http://proxy:3128" }, {}],
        ["a token file", { server }, { tokenFile: "/var/run/token" }],
        ["an unknown field", { server, extensions: [] }, {}],
        ["no server", {}, {}],
        ["a missing certificate file", { server, "certificate-authority": "/nonexistent/ca.crt" }, {}],
    ])("%s is left to client-node", (_what, cluster, user) => {
        expect(plainHttpsConfig(kubeconfig(cluster, user))).toBeUndefined();
    });

    it("a kubeconfig whose current context is missing, or that is not YAML, is left to client-node", () => {
        expect(plainHttpsConfig("current-context: nowhere\n")).toBeUndefined();
        expect(plainHttpsConfig(": : :")).toBeUndefined();
    });

    it("client-node serves the rest, one KubeConfig per content", async () => {
        const text = kubeconfig({ server }, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "true" } });
        const config = await httpsConfigOf(text);
        expect(config.constructor.name).toBe("KubeConfig");
        expect(config.getCurrentCluster()?.server).toBe(server);
        expect(await httpsConfigOf(text)).toBe(config);
    });
});
