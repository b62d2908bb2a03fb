// Table tests of the Project rules shared by the Project component and the policy pack. Where a row
// comes from Argo CD's own tests (argo-cd pkg/apis/application/v1alpha1/types_test.go) and SyncWave
// decides otherwise on purpose, the row says so.
import { describe, expect, it } from "vitest";
import { filepathMatch } from "../../components/project/filepath-match";
import { globMatch } from "../../components/project/glob";
import type { ProjectDestination, ProjectSpec } from "../../components/project/project-spec";
import {
    checkDestination,
    checkNamespacedTarget,
    checkResourceKind,
    checkSourceRepo,
    destinationServiceAccount,
    type Destination,
} from "../../components/project/rules";
import { syncWindowVerdict } from "../../components/project/sync-windows";
import { validateProjectSpec } from "../../components/project";

const K8S = "https://kubernetes.default.svc";
const team: ProjectSpec = {
    sourceRepos: ["https://git.example.com/team/*", "!https://git.example.com/team/secret-*"],
    destinations: [
        { server: K8S, namespace: "team-*" },
        { server: K8S, namespace: "!team-admin" },
    ],
    namespaceResourceBlacklist: [{ group: "", kind: "ResourceQuota" }],
    clusterResourceWhitelist: [{ group: "", kind: "Namespace", name: "team-*" }],
};
const key = (group: string, kind: string, name = "x", namespace = "") => ({ group, kind, name, namespace });
const repoAllowed = (sourceRepos: string[], repoURL: string) => checkSourceRepo("p", { sourceRepos }, repoURL) === undefined;
const destinationAllowed = (destinations: ProjectDestination[], d: Destination) => checkDestination("p", { destinations }, d) === undefined;

describe("globs (Argo CD's util/glob)", () => {
    it.each([
        ["* crosses / without a separator", "*", "a/b", "", true],
        ["* stops at the separator", "a/*", "a/b/c", "/", false],
        ["** crosses the separator", "a/**", "a/b/c", "/", true],
        ["? is one character", "a?c", "abc", "", true],
        ["? never matches the separator", "a?c", "a/c", "/", false],
        ["alternatives", "{web,api}-*", "api-eu", "", true],
        ["a negated list", "[!a]x", "bx", "", true],
        ["a single range", "[a-c]x", "bx", "", true],
        ["several ranges in one class do not compile", "[a-z0-9]", "a", "", false],
        ["an invalid pattern matches nothing", "e[[a*", "e[[a*", "", false],
        ["an escaped star is a star", "a\\*", "a*", "", true],
        ["an escaped star is not a wildcard", "a\\*", "ab", "", false],
        ["the empty pattern matches the empty string", "", "", "", true],
        ["the empty pattern matches nothing else", "", "x", "", false],
        ["regular expression characters are literal", "a.b", "axb", "", false],
    ])("%s", (_name, pattern, value, separators, expected) => {
        expect(globMatch(pattern, value, separators)).toBe(expected);
    });

    it.each([
        ["a wildcard inside one dot-separated name", "*.shop.example.com", "flags.shop.example.com", true],
        ["braces are literal", "{Deployment,StatefulSet}", "Deployment", false],
        ["a class negated with ^", "[^C]*", "Deployment", true],
        ["a class negated with ^ refuses its character", "[^C]*", "ConfigMap", false],
        ["several ranges in one class", "[a-z0-9]x", "7x", true],
        ["a malformed pattern matches nothing", "[", "[", false],
    ])("resource filters use Go's filepath.Match: %s", (_name, pattern, value, expected) => {
        expect(filepathMatch(pattern, value)).toBe(expected);
    });
});

describe("source repositories", () => {
    it.each([
        ["a repository of the team", "https://git.example.com/team/app", true],
        ["the same with .git", "https://git.example.com/team/app.git", true],
        ["the same with another host case and a trailing slash", "https://GIT.example.com/team/app/", true],
        ["* does not cross /: a nested repository needs team/**", "https://git.example.com/team/nested/app", false],
        ["a denied repository", "https://git.example.com/team/secret-keys", false],
        ["another team's repository", "https://git.example.com/other/app", false],
        ["the team's repository over SSH is another URL, as in Argo CD", "git@git.example.com:team/app.git", false],
    ])("%s: %s allowed %s", (_name, repo, allowed) => {
        expect(checkSourceRepo("team", team, repo) === undefined).toBe(allowed);
    });

    const readme = ["https://git.example.com/shop/*", "!https://git.example.com/shop/secrets"];
    it.each([
        ["https://git.example.com/shop/deploy.git", true],
        ["https://git.example.com/shop/secrets.git", false],
        ["https://git.example.com/shop/secrets/", false],
        ["https://GIT.example.com/shop/secrets", false],
        ["git@git.example.com:shop/secrets.git", false],
        ["ssh://git@git.example.com/shop/secrets", false],
        ["https://git.example.com:443/shop/secrets", false],
    ])("the README's project: %s allowed %s", (repo, allowed) => {
        const violation = checkSourceRepo("shop", { sourceRepos: readme }, repo);
        expect(violation === undefined).toBe(allowed);
        if (!allowed) expect(violation?.message).toContain(`is denied by "!https://git.example.com/shop/secrets"`);
    });

    it.each([
        ["a lone ! entry admits nothing (Argo CD's code would admit it: argo-cd #21264)", ["!https://git.example.com/shop/secrets"], "https://evil.example.com/x", false],
        ["a ! entry does not widen an allow list", readme, "https://evil.example.com/x", false],
        ["* admits any repository", ["*"], "git@github.com:someone/fork.git", true],
        ["* admits a local source", ["*"], "./", true],
        ["** crosses /", ["https://gitlab.com/group/**"], "https://gitlab.com/group/sub-group/repo/owner", true],
        ["one * per segment", ["https://gitlab.com/group/*/*"], "https://gitlab.com/group/repo/owner", true],
        ["one * is one segment", ["https://gitlab.com/group/*"], "https://gitlab.com/group/repo/owner", false],
        ["a deny glob with *", ["!https://github.com/argoproj/*.git", "*"], "https://github.com/argoproj/test.git", false],
        ["a deny glob leaves other owners", ["!https://github.com/argoproj/*.git", "*"], "https://github.com/argoproj1/test2.git", true],
        ["a scp-form deny denies the HTTPS spelling", ["!ssh://git@GITHUB.com:argoproj/test", "*"], "https://github.com/argoproj/test", false],
        ["a scp-form deny denies the scp spelling", ["!ssh://git@GITHUB.com:argoproj/test", "*"], "git@github.com:argoproj/test.git", false],
        ["a scp-form deny leaves other repositories", ["!ssh://git@GITHUB.com:argoproj/test", "*"], "https://github.com/argoproj/other", true],
        ["an scp-form allow entry admits the ssh:// spelling", ["git@github.com:team/*"], "ssh://git@github.com/team/app.git", true],
        ["a local source", ["./"], "./", true],
        ["a local source without its slash", ["./"], ".", true],
        ["another local path", ["./"], "./examples", false],
        ["a file:// repository in /tmp", ["file:///tmp/*"], "file:///tmp/syncwave-repo-AbC123", true],
        ["a file:// repository deeper than /tmp", ["file:///tmp/*"], "file:///tmp/a/b", false],
        ["a file:// repository elsewhere", ["file:///tmp/*"], "file:///var/repo", false],
        ["no sourceRepos admit nothing", [], "https://git.example.com/x", false],
    ])("%s", (_name, sourceRepos, repo, allowed) => {
        expect(repoAllowed(sourceRepos, repo)).toBe(allowed);
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
        ["an allowed namespace", { server: K8S, namespace: "team-web" }, true],
        ["a namespace a ! entry denies", { server: K8S, namespace: "team-admin" }, false],
        ["a namespace no allow entry matches (the ! entry admits nothing)", { server: K8S, namespace: "kube-system" }, false],
        ["another cluster", { server: "https://other.example.com", namespace: "team-web" }, false],
        ["the empty namespace is not matched by team-*", { server: K8S, namespace: "" }, false],
        ["in-cluster by name matches an entry by server", { name: "in-cluster", namespace: "team-web" }, true],
        ["the server with a trailing slash", { server: `${K8S}/`, namespace: "team-web" }, true],
        ["no cluster means the default cluster", { namespace: "team-web" }, true],
        ["both server and name are refused, as Argo CD refuses them", { server: K8S, name: "in-cluster", namespace: "team-web" }, false],
    ])("%s", (_name, d, allowed) => {
        expect(checkDestination("team", team, d) === undefined).toBe(allowed);
    });

    const eks = "https://eks.example.com";
    it.each<[string, ProjectDestination[], Destination, boolean]>([
        // argo-cd TestAppProject_IsDestinationPermitted
        ["server and namespace match", [{ server: K8S, namespace: "default" }], { server: K8S, namespace: "default" }, true],
        ["namespace does not match", [{ server: K8S, namespace: "default" }], { server: K8S, namespace: "kube-system" }, false],
        ["server does not match", [{ server: "https://my-cluster", namespace: "default" }], { server: K8S, namespace: "default" }, false],
        ["wildcard namespace", [{ server: K8S, namespace: "*" }], { server: K8S, namespace: "kube-system" }, true],
        ["wildcard server", [{ server: "https://*.default.svc", namespace: "default" }], { server: K8S, namespace: "default" }, true],
        ["wildcard server prefix", [{ server: "https://team1-*", namespace: "default" }], { server: "https://test2-dev-cluster", namespace: "default" }, false],
        ["namespace prefix without the rest", [{ server: K8S, namespace: "test-*" }], { server: K8S, namespace: "test" }, false],
        ["by name", [{ namespace: "*", name: "test" }], { name: "test", namespace: "test" }, true],
        ["by another name", [{ namespace: "*", name: "test2" }], { name: "test", namespace: "test" }, false],
        [
            "a negated namespace list on another cluster",
            [
                { name: "host-cluster", server: K8S, namespace: "!{kube-system,argocd}" },
                { name: "eks", server: eks, namespace: "*" },
            ],
            { server: eks, namespace: "kube-system" },
            true,
        ],
        // argo-cd TestAppProject_IsNegatedDestinationPermitted
        ["a negated server", [{ server: `!${K8S}`, namespace: "default" }], { server: K8S, namespace: "default" }, false],
        ["a negated server glob", [{ server: "!https://*.default.svc", namespace: "default" }], { server: K8S, namespace: "default" }, false],
        ["a negated namespace glob", [{ server: K8S, namespace: "!test-*" }], { server: K8S, namespace: "test-foo" }, false],
        ["a negated name", [{ namespace: "*", name: "!test" }], { name: "test", namespace: "test" }, false],
        ["allow then deny the same namespace", [{ server: "*", namespace: "kube-system" }, { server: "*", namespace: "!kube-system" }], { server: K8S, namespace: "kube-system" }, false],
        ["allow all, deny a namespace", [{ server: "*", namespace: "*" }, { server: "*", namespace: "!kube-system" }], { server: K8S, namespace: "kube-system" }, false],
        ["allow all, deny a namespace: others pass", [{ server: "*", namespace: "*" }, { server: "*", namespace: "!kube-system" }], { server: K8S, namespace: "default" }, true],
        ["allow a server, deny it", [{ server: K8S, namespace: "*" }, { server: `!${K8S}`, namespace: "*" }], { server: K8S, namespace: "kube-system" }, false],
        ["deny one server's namespace", [{ server: "*", namespace: "*" }, { server: `!${K8S}`, namespace: "kube-system" }], { server: K8S, namespace: "kube-system" }, false],
        ["allow then deny a name", [{ namespace: "*", name: "test" }, { namespace: "*", name: "!test" }], { name: "test", namespace: "test" }, false],
        ["a deny for another namespace", [{ server: "*", namespace: "test" }, { server: "!https://test-server", namespace: "other" }], { server: "https://test-server", namespace: "test" }, true],
        ["a namespace deny on another server", [{ server: "*", namespace: "*" }, { server: "https://test-server", namespace: "!other" }], { server: "https://other-test-server", namespace: "other" }, true],
        // Argo CD's code admits these through the ! entry alone (argo-cd #21264); its documentation does not.
        ["a lone negated namespace admits nothing", [{ server: K8S, namespace: "!default" }], { server: K8S, namespace: "kube-system" }, false],
        ["a lone negated server admits nothing", [{ server: "!https://my-cluster", namespace: "default" }], { server: K8S, namespace: "default" }, false],
        ["a lone negated name admits nothing", [{ namespace: "*", name: "!test2" }], { name: "test", namespace: "test" }, false],
        // A missing field matches nothing.
        ["an entry without namespace matches only cluster-scoped objects", [{ server: K8S }], { server: K8S, namespace: "team" }, false],
        ["an entry without namespace matches the empty namespace", [{ server: K8S }], { server: K8S, namespace: "" }, true],
        ["an entry without server or name matches no cluster", [{ namespace: "*" }], { server: K8S, namespace: "team" }, false],
        ["* matches the empty namespace", [{ server: K8S, namespace: "*" }], { server: K8S, namespace: "" }, true],
        // in-cluster and https://kubernetes.default.svc are one cluster, on either side.
        ["an in-cluster entry admits the server", [{ name: "in-cluster", namespace: "shop" }], { server: K8S, namespace: "shop" }, true],
        ["a server entry admits in-cluster", [{ server: K8S, namespace: "shop" }], { name: "in-cluster", namespace: "shop" }, true],
        ["a negated in-cluster denies the server", [{ server: "*", namespace: "*" }, { name: "!in-cluster", namespace: "*" }], { server: K8S, namespace: "shop" }, false],
        ["a negated name admits in-cluster by server", [{ server: "*", namespace: "*" }, { name: "!prod", namespace: "*" }], { server: K8S, namespace: "shop" }, true],
        ["a negated name refuses a cluster whose name is unknown, as Argo CD's code", [{ server: "*", namespace: "*" }, { name: "!prod", namespace: "*" }], { server: "https://staging.example.com", namespace: "shop" }, false],
        // SyncWave: a negated namespace also denies where the entry matches the cluster by name.
        ["a negated namespace on an entry by name", [{ name: "*", namespace: "*" }, { name: "in-cluster", namespace: "!kube-system" }], { server: K8S, namespace: "kube-system" }, false],
        // Destinations use no glob separator: * crosses /.
        ["* crosses / in a server", [{ server: "https://10.0.0.1:6443/*", namespace: "*" }], { server: "https://10.0.0.1:6443/clusters/a", namespace: "x" }, true],
    ])("%s", (_name, destinations, d, allowed) => {
        expect(destinationAllowed(destinations, d)).toBe(allowed);
    });

    it("matches destinations by cluster name", () => {
        const spec: ProjectSpec = { destinations: [{ name: "prod-*", namespace: "*" }] };
        expect(checkDestination("p", spec, { name: "prod-eu", namespace: "a" })).toBeUndefined();
        expect(checkDestination("p", spec, { name: "staging", namespace: "a" })?.rule).toBe("project-destinations");
    });

    it("says which entry denied, and why a negated name could not be tested", () => {
        expect(checkDestination("team", team, { server: K8S, namespace: "team-admin" })?.message).toBe(
            `destination ${K8S} (in-cluster)/team-admin is denied by {server ${K8S}, namespace !team-admin} in project team's destinations`,
        );
        const spec: ProjectSpec = { destinations: [{ server: "*", namespace: "*" }, { name: "!prod", namespace: "*" }] };
        expect(checkDestination("p", spec, { server: "https://staging.example.com", namespace: "a" })?.message).toContain(
            "the destination gives no cluster name to test it against",
        );
        expect(checkDestination("team", team, { server: K8S, namespace: "kube-system" })?.message).toContain(
            `destinations allows {server ${K8S}, namespace team-*}`,
        );
    });

    it.each([
        ["a namespaced object without a namespace is refused", { server: K8S, namespace: "" }, false],
        ["a namespaced object without any namespace field is refused", { server: K8S }, false],
        ["a namespaced object in an allowed namespace passes", { server: K8S, namespace: "web" }, true],
    ])("checkNamespacedTarget: %s", (_name, d, allowed) => {
        const open: ProjectSpec = { destinations: [{ server: "*", namespace: "*" }] };
        const violation = checkNamespacedTarget("p", open, d);
        expect(violation === undefined).toBe(allowed);
        if (!allowed) {
            expect(violation).toEqual({
                rule: "project-destinations",
                message: expect.stringMatching(/has no metadata\.namespace and the Application has no destination\.namespace/),
            });
        }
        // checkDestination alone reads "" as a cluster-scoped target, which `*` admits.
        expect(checkDestination("p", open, d)).toBeUndefined();
        expect(checkDestination("p", open, d, { namespaced: true }) === undefined).toBe(allowed);
    });
});

describe("resource kinds", () => {
    it.each([
        ["namespaced kinds are allowed without a whitelist", team, key("apps", "Deployment"), false, undefined],
        ["a blacklisted namespaced kind is refused", team, key("", "ResourceQuota"), false, "project-namespace-resource-blacklist"],
        ["cluster-scoped kinds need the whitelist", team, key("rbac.authorization.k8s.io", "ClusterRole"), true, "project-cluster-resource-whitelist"],
        ["a whitelisted cluster kind with a matching name passes", team, key("", "Namespace", "team-web"), true, undefined],
        ["a whitelisted cluster kind with another name is refused", team, key("", "Namespace", "kube-system"), true, "project-cluster-resource-whitelist"],
        ["an empty namespaceResourceWhitelist allows no namespaced kind", { namespaceResourceWhitelist: [] }, key("apps", "Deployment"), false, "project-namespace-resource-whitelist"],
        ["an absent namespaceResourceWhitelist allows every namespaced kind", {}, key("apps", "Deployment"), false, undefined],
        ["an empty clusterResourceWhitelist allows no cluster-scoped kind", { clusterResourceWhitelist: [] }, key("", "Namespace"), true, "project-cluster-resource-whitelist"],
        ["an absent clusterResourceWhitelist allows no cluster-scoped kind", {}, key("", "Namespace"), true, "project-cluster-resource-whitelist"],
        [
            "a blacklist beats a whitelist",
            { clusterResourceWhitelist: [{ group: "*", kind: "*" }], clusterResourceBlacklist: [{ group: "*", kind: "*" }] },
            key("", "Namespace"),
            true,
            "project-cluster-resource-blacklist",
        ],
        ["an empty name in a filter matches every name", { clusterResourceWhitelist: [{ group: "", kind: "Namespace", name: "" }] }, key("", "Namespace", "any"), true, undefined],
        ["braces are not alternatives in a filter", { namespaceResourceWhitelist: [{ group: "apps", kind: "{Deployment,StatefulSet}" }] }, key("apps", "Deployment"), false, "project-namespace-resource-whitelist"],
        ["a namespaced blacklist entry denies the whole kind, whatever its name", { namespaceResourceBlacklist: [{ group: "", kind: "Secret", name: "x" }] }, key("", "Secret", "y"), false, "project-namespace-resource-blacklist"],
        ["a name in the namespaced whitelist narrows it", { namespaceResourceWhitelist: [{ group: "", kind: "ConfigMap", name: "app-*" }] }, key("", "ConfigMap", "other"), false, "project-namespace-resource-whitelist"],
    ])("%s", (_name, spec: ProjectSpec, k, clusterScoped, rule) => {
        expect(checkResourceKind("team", spec, k, clusterScoped)?.rule).toBe(rule);
    });

    it("a namespaced whitelist admits only what it lists", () => {
        const spec: ProjectSpec = { namespaceResourceWhitelist: [{ group: "apps", kind: "*" }] };
        expect(checkResourceKind("p", spec, key("apps", "Deployment"), false)).toBeUndefined();
        expect(checkResourceKind("p", spec, key("", "Secret"), false)?.message).toContain("namespaceResourceWhitelist allows \"apps/*\"");
    });

    it("says an empty whitelist allows nothing", () => {
        expect(checkResourceKind("p", { namespaceResourceWhitelist: [] }, key("", "Secret"), false)?.message).toBe(
            "namespaced kind core/Secret is not allowed by project p: namespaceResourceWhitelist is empty, which allows no namespaced kind",
        );
    });
});

describe("destination service accounts", () => {
    it("finds the account for a destination", () => {
        const spec: ProjectSpec = {
            destinationServiceAccounts: [
                { server: K8S, namespace: "team-*", defaultServiceAccount: "deployer" },
                { server: "*", namespace: "*", defaultServiceAccount: "ops:readonly" },
            ],
        };
        expect(destinationServiceAccount(spec, { server: K8S, namespace: "team-a" })).toBe("system:serviceaccount:team-a:deployer");
        expect(destinationServiceAccount(spec, { name: "in-cluster", namespace: "team-a" })).toBe("system:serviceaccount:team-a:deployer");
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
        ["outside allow windows that all allow manual syncs, a manual sync goes", [{ ...businessAllow, manualSync: true }], "2026-11-18T20:00:00Z", true, true],
        ["outside them an automated sync still waits", [{ ...businessAllow, manualSync: true }], "2026-11-18T20:00:00Z", false, false],
        ["a manual sync waits when one closed allow window lacks manualSync", [{ ...businessAllow, manualSync: true }, businessAllow], "2026-11-18T20:00:00Z", true, false],
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

describe("AppProject fields SyncWave does not enforce", () => {
    it.each([
        ["signatureKeys", [{ keyID: "3AFDEB23" }], /not a GnuPG key ID: give the 16-digit long key ID/],
        ["orphanedResources", { warn: true }, /orphaned resource monitoring/],
        ["roles", [{ name: "ci" }], /project roles/],
        ["permitOnlyProjectScopedClusters", true, /project-scoped clusters/],
        ["sourceNamespaces", ["team-*"], /platform assigns Projects/],
        ["sourceRepo", ["*"], /unknown AppProject field/],
    ])("%s is refused, naming it", (field, value, message) => {
        const spec = { sourceRepos: ["*"], [field]: value } as never;
        expect(() => validateProjectSpec("shop", spec)).toThrow(message);
        expect(() => validateProjectSpec("shop", spec)).toThrow(`projects.shop.${field}`);
    });
});
