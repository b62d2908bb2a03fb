// Table tests of the Project rules shared by the Project component and the policy pack.
import { describe, expect, it } from "vitest";
import type { ProjectSpec } from "../../components/project/project-spec";
import { checkDestination, checkResourceKind, checkSourceRepo, destinationServiceAccount } from "../../components/project/rules";
import { syncWindowVerdict } from "../../components/project/sync-windows";

const team: ProjectSpec = {
    sourceRepos: ["https://git.example.com/team/*", "!https://git.example.com/team/secret-*"],
    destinations: [
        { server: "https://kubernetes.default.svc", namespace: "team-*" },
        { server: "https://kubernetes.default.svc", namespace: "!team-admin" },
    ],
    namespaceResourceBlacklist: [{ group: "", kind: "ResourceQuota" }],
    clusterResourceWhitelist: [{ group: "", kind: "Namespace", name: "team-*" }],
};
const key = (group: string, kind: string, name = "x", namespace = "") => ({ group, kind, name, namespace });

describe("source repositories", () => {
    it.each([
        ["https://git.example.com/team/app", true],
        ["https://git.example.com/team/nested/app", true],
        ["https://git.example.com/team/secret-keys", false],
        ["https://git.example.com/other/app", false],
    ])("%s allowed: %s", (repo, allowed) => {
        expect(checkSourceRepo("team", team, repo) === undefined).toBe(allowed);
    });

    it("names the rule and what is allowed", () => {
        expect(checkSourceRepo("team", team, "https://evil.example.com/x")).toEqual({
            rule: "project-source-repos",
            message: expect.stringContaining(`sourceRepos allows "https://git.example.com/team/*"`),
        });
    });
});

describe("destinations", () => {
    it.each([
        [{ server: "https://kubernetes.default.svc", namespace: "team-web" }, true],
        [{ server: "https://kubernetes.default.svc", namespace: "team-admin" }, false],
        [{ server: "https://kubernetes.default.svc", namespace: "kube-system" }, false],
        [{ server: "https://other.example.com", namespace: "team-web" }, false],
        [{ server: "https://kubernetes.default.svc", namespace: "" }, true],
    ])("%o allowed: %s", (d, allowed) => {
        expect(checkDestination("team", team, d) === undefined).toBe(allowed);
    });

    it("matches destinations by cluster name", () => {
        const spec: ProjectSpec = { destinations: [{ name: "prod-*", namespace: "*" }] };
        expect(checkDestination("p", spec, { name: "prod-eu", namespace: "a" })).toBeUndefined();
        expect(checkDestination("p", spec, { name: "staging", namespace: "a" })?.rule).toBe("project-destinations");
    });
});

describe("resource kinds", () => {
    it.each([
        ["namespaced kinds are allowed without a whitelist", key("apps", "Deployment"), false, undefined],
        ["a blacklisted namespaced kind is refused", key("", "ResourceQuota"), false, "project-namespace-resource-blacklist"],
        ["cluster-scoped kinds need the whitelist", key("rbac.authorization.k8s.io", "ClusterRole"), true, "project-cluster-resource-whitelist"],
        ["a whitelisted cluster kind with a matching name passes", key("", "Namespace", "team-web"), true, undefined],
        ["a whitelisted cluster kind with another name is refused", key("", "Namespace", "kube-system"), true, "project-cluster-resource-whitelist"],
    ])("%s", (_name, k, clusterScoped, rule) => {
        expect(checkResourceKind("team", team, k, clusterScoped)?.rule).toBe(rule);
    });

    it("a namespaced whitelist admits only what it lists", () => {
        const spec: ProjectSpec = { namespaceResourceWhitelist: [{ group: "apps", kind: "*" }] };
        expect(checkResourceKind("p", spec, key("apps", "Deployment"), false)).toBeUndefined();
        expect(checkResourceKind("p", spec, key("", "Secret"), false)?.message).toContain("namespaceResourceWhitelist allows \"apps/*\"");
    });
});

describe("destination service accounts", () => {
    it("finds the account for a destination", () => {
        const spec: ProjectSpec = {
            destinationServiceAccounts: [
                { server: "https://kubernetes.default.svc", namespace: "team-*", defaultServiceAccount: "deployer" },
                { server: "*", namespace: "*", defaultServiceAccount: "ops:readonly" },
            ],
        };
        expect(destinationServiceAccount(spec, { server: "https://kubernetes.default.svc", namespace: "team-a" })).toBe(
            "system:serviceaccount:team-a:deployer",
        );
        expect(destinationServiceAccount(spec, { server: "https://x", namespace: "b" })).toBe("system:serviceaccount:ops:readonly");
        expect(destinationServiceAccount({}, { server: "https://x", namespace: "b" })).toBeUndefined();
    });
});

describe("sync windows", () => {
    const nightlyDeny = { kind: "deny" as const, schedule: "0 22 * * *", duration: "8h", applications: ["*"] };
    const businessAllow = { kind: "allow" as const, schedule: "0 8 * * 1-5", duration: "9h", namespaces: ["prod-*"], timeZone: "Europe/Berlin" };
    const at = (iso: string) => new Date(iso);
    it.each([
        ["a deny window blocks while active", [nightlyDeny], "2026-11-18T23:30:00Z", false, false],
        ["a deny window is over after its duration", [nightlyDeny], "2026-11-19T06:30:00Z", false, true],
        ["manualSync lets a manual sync through a deny window", [{ ...nightlyDeny, manualSync: true }], "2026-11-18T23:30:00Z", true, true],
        ["manualSync does not help an automated sync", [{ ...nightlyDeny, manualSync: true }], "2026-11-18T23:30:00Z", false, false],
        ["an allow window admits during its hours (Berlin time)", [businessAllow], "2026-11-18T08:30:00Z", false, true],
        ["outside every allow window a sync waits", [businessAllow], "2026-11-18T20:00:00Z", false, false],
        ["an allow window on the weekend is closed", [businessAllow], "2026-11-21T10:00:00Z", false, false],
    ])("%s", (_name, windows, now, manual, allowed) => {
        const verdict = syncWindowVerdict(windows, { application: "api", namespace: "prod-api" }, at(now), { manual });
        expect(verdict.allowed).toBe(allowed);
        if (!allowed) expect(verdict.reason).toMatch(/window/);
    });

    it("windows that match nothing do not apply", () => {
        const verdict = syncWindowVerdict([{ ...nightlyDeny, applications: ["other"] }], { application: "api" }, at("2026-11-18T23:30:00Z"), { manual: false });
        expect(verdict.allowed).toBe(true);
    });

    it("a bad schedule names the field", () => {
        expect(() =>
            syncWindowVerdict([{ ...nightlyDeny, schedule: "every night" }], { application: "api" }, new Date(), { manual: false }),
        ).toThrow(/field syncWindows\[0\]\.schedule: invalid cron schedule "every night"/);
    });
});
