// A local-cluster component started again with flags set (a fault such as a throttled API server).
import { describe, expect, it } from "vitest";
import { withFlags } from "../../cli/cluster/components";

describe("a component's command line with flags set", () => {
    const argv = ["/bin/kube-apiserver", "--secure-port=6443", "--max-requests-inflight=400", "--v=2"];
    it("replaces a flag it had and adds one it had not, keeping the program", () => {
        expect(withFlags(argv, ["--max-requests-inflight=1", "--max-mutating-requests-inflight=1"])).toEqual([
            "/bin/kube-apiserver",
            "--secure-port=6443",
            "--v=2",
            "--max-requests-inflight=1",
            "--max-mutating-requests-inflight=1",
        ]);
        expect(withFlags(argv, [])).toEqual(argv);
    });
    it.each(["--max-requests-inflight", "max-requests-inflight=1", "-v=3", "--a b=1"])("refuses %s, naming it", (flag) => {
        expect(() => withFlags(argv, [flag])).toThrow(`${flag}: expected --name=value`);
    });
});
