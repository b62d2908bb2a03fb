// Which stacks a command runs on, and the options that choose them.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { childArguments } from "../../cli/multi-stack/child-arguments";
import { commandName, refusalOfSeveralStacks } from "../../cli/multi-stack/command-support";
import { DEFAULT_PARALLEL, effectiveParallel, parseParallel } from "../../cli/multi-stack/parallel-option";
import { selectStacks, stacksOfFileNames } from "../../cli/multi-stack/stack-selection";

const project = () => ({ folder: "/project/stacks", stacks: ["dev", "prod-eu", "prod-us", "staging"] });
const unread = () => {
    throw new Error("the stack folder must not be read without a glob");
};

describe("selectStacks", () => {
    it("takes explicit names as given, in order, without reading the project", () => {
        expect(selectStacks({ names: ["zeta", "alpha", "not-in-folder"], globs: [] }, unread)).toEqual(["zeta", "alpha", "not-in-folder"]);
    });

    it("adds the project's stacks a glob matches, sorted", () => {
        expect(selectStacks({ names: [], globs: ["prod-*"] }, project)).toEqual(["prod-eu", "prod-us"]);
        expect(selectStacks({ names: [], globs: ["{dev,staging}"] }, project)).toEqual(["dev", "staging"]);
    });

    it("runs a stack named twice once, where it was first named", () => {
        expect(selectStacks({ names: ["prod-us", "dev", "prod-us"], globs: ["prod-*", "*"] }, project)).toEqual(["prod-us", "dev", "prod-eu", "staging"]);
    });

    it("refuses a glob that matches nothing, naming it, the folder and the stacks there", () => {
        expect(() => selectStacks({ names: [], globs: ["qa-*"] }, project)).toThrow("--stacks qa-*: no stack of the project matches (stacks with a Pulumi.<stack>.yaml in /project/stacks: dev, prod-eu, prod-us, staging)");
        expect(() => selectStacks({ names: [], globs: ["*"] }, () => ({ folder: "/empty", stacks: [] }))).toThrow("in /empty: none");
    });

    it("reads stack names from configuration file names only", () => {
        expect(stacksOfFileNames(["Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml", "README.md", "Pulumi.dev.yaml.bak", "Pulumi.a.b.yaml"])).toEqual(["a.b", "dev", "prod"]);
    });
});

describe("--parallel", () => {
    it("accepts whole numbers of at least 1", () => {
        expect(parseParallel("1")).toBe(1);
        expect(parseParallel("12")).toBe(12);
    });

    it.each(["0", "-1", "1.5", "two", "", "1e2"])("refuses %j naming the flag", (value) => {
        expect(() => parseParallel(value)).toThrow(`--parallel ${value}: expected a whole number of stacks of at least 1`);
    });

    it("defaults to 4, or the number of stacks when fewer, and never exceeds the stacks", () => {
        expect(DEFAULT_PARALLEL).toBe(4);
        expect(effectiveParallel(undefined, 10)).toBe(4);
        expect(effectiveParallel(undefined, 2)).toBe(2);
        expect(effectiveParallel(8, 3)).toBe(3);
        expect(effectiveParallel(1, 3)).toBe(1);
    });
});

describe("commands on several stacks", () => {
    it.each(["diff", "sync", "status", "drift", "history", "images update", "reconcile --once"])("%s runs on several", (command) => {
        expect(refusalOfSeveralStacks(command)).toBeUndefined();
    });

    it("names reconcile --once apart from reconcile", () => {
        expect(commandName(["reconcile"], { once: true })).toBe("reconcile --once");
        expect(commandName(["reconcile"], {})).toBe("reconcile");
        expect(commandName(["images", "update"])).toBe("images update");
    });

    it.each([
        ["rollback", "a rollback target"],
        ["unpin", "one application of one stack"],
        ["unlock", "as its argument"],
        ["reconcile", "use --once"],
        ["appset generate", "one stack's clusters"],
        ["cluster up", "belongs to no stack"],
        ["env", "belongs to no stack"],
    ])("%s refuses several, saying why", (command, why) => {
        const refusal = refusalOfSeveralStacks(command);
        expect(refusal).toContain(`syncwave ${command} runs on one stack, not several`);
        expect(refusal).toContain(why);
    });
});

describe("childArguments", () => {
    // The root options as cli/main.ts declares them, and two commands: the child must parse as the parent did.
    const parse = (args: readonly string[]) => {
        const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
        let ran: { command: string; options: Record<string, unknown> } | undefined;
        const program = new Command("syncwave")
            .exitOverride()
            .option("-s, --stack <name>", "", collect)
            .option("--stacks <glob>", "", collect)
            .option("--parallel <n>")
            .option("-C, --cwd <dir>")
            .option("--json")
            .option("--policy-pack <dir...>")
            .option("--policy-pack-config <file...>");
        for (const name of ["sync", "diff"]) {
            program
                .command(name)
                .option("--app <name>")
                .option("--exit-code")
                .action((options: Record<string, unknown>) => {
                    ran = { command: name, options };
                });
        }
        program.parse(args, { from: "user" });
        const { stack, stacks: _globs, parallel: _parallel, ...root } = program.opts<{ stack?: string[]; stacks?: string[]; parallel?: string }>();
        return { ran, root, stacks: [...new Set(stack)] };
    };
    const parsesAsParent = (parent: string[], stack: string) => {
        const child = parse(childArguments(parent, stack));
        const { ran, root } = parse(parent);
        expect(child).toEqual({ ran, root, stacks: [stack] });
    };

    it("replaces each selection option, where it stood, by --stack and the child's stack, and keeps everything else", () => {
        expect(childArguments(["--stack", "a", "-s", "b", "--stacks", "prod-*", "--parallel", "2", "--json", "diff", "--exit-code", "--app", "web"], "prod-eu")).toEqual([
            ...["--stack", "prod-eu", "--stack", "prod-eu", "--stack", "prod-eu", "--stack", "prod-eu"],
            "--json",
            "diff",
            "--exit-code",
            "--app",
            "web",
        ]);
    });

    it("replaces the attached forms (--stack=a, --stacks=glob, --parallel=2, -sa)", () => {
        expect(childArguments(["--stack=a", "--stacks=p*", "--parallel=2", "-sb", "-C", "/proj", "sync"], "x")).toEqual([
            ...["--stack", "x", "--stack", "x", "--stack", "x", "--stack", "x"],
            ...["-C", "/proj", "sync"],
        ]);
    });

    it("leaves operands after -- alone", () => {
        expect(childArguments(["-s", "a", "appset", "generate", "--", "--stack"], "x")).toEqual(["--stack", "x", "appset", "generate", "--", "--stack"]);
    });

    it("ends a variadic option where the parent's selection ended it, so the command stays the command", () => {
        parsesAsParent(["--stack", "a", "--policy-pack", "p1", "--stack", "b", "sync"], "a");
        parsesAsParent(["--policy-pack", "p1", "p2", "--stacks=prod-*", "--policy-pack-config", "c.yaml", "--parallel=3", "diff", "--exit-code"], "prod-eu");
        parsesAsParent(["--policy-pack", "p1", "-s", "a", "--policy-pack-config", "c1", "c2", "-sb", "sync", "--app", "web"], "b");
        parsesAsParent(["--policy-pack-config", "c.yaml", "--stack=a", "--stack=b", "--json", "diff"], "b");
        parsesAsParent(["--policy-pack", "p1", "--parallel", "2", "--stacks", "g*", "sync"], "g1");
    });

    it("leaves an option's value that equals a stack name alone", () => {
        expect(childArguments(["--stack", "a", "--stack", "web", "-C", "a", "sync", "--app", "web"], "web")).toEqual([
            ...["--stack", "web", "--stack", "web", "-C", "a", "sync", "--app", "web"],
        ]);
        parsesAsParent(["--stack", "a", "--stack", "web", "--policy-pack", "a", "web", "-s", "b", "sync", "--app", "web"], "a");
    });
});
