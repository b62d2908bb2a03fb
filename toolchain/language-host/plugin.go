package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// RunPlugin runs a policy pack (kind "analyzer") or a plugin written in Node.js, streaming its output
// back; the engine reads the plugin's port from that output.
func (host *nodeLanguageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	ctx := server.Context()
	info := req.GetInfo()
	dir := programDirectory(info, req.GetProgram())
	analyzer := req.GetKind() == string(apitype.AnalyzerPlugin)
	logging.V(5).Infof("Attempting to run nodejs plugin in %s", dir)

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	opts, err := parseOptions(info)
	if err != nil {
		return err
	}
	// The engine sends its environment; later entries win, so the options' variables come last.
	env := append(append(append([]string{}, os.Environ()...), req.GetEnv()...), opts.env()...)

	runPath := "@pulumi/pulumi/cmd/run-plugin"
	if analyzer {
		runPath = "@pulumi/pulumi/cmd/run-policy-pack"
	} else if override := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); override != "" {
		runPath = override
	}
	runScript, err := locateModule(node, runPath, dir, "npm install in "+dir)
	if err != nil {
		return err
	}

	// Node's own arguments go before the script, as for programs. (Upstream's host puts nodeargs after
	// the script here, where node hands them to the plugin instead of acting on them.)
	args := append([]string{}, opts.nodeArgs...)
	var debug *debugSetup
	if req.GetAttachDebugger() {
		if debug, err = newDebugSetup(); err != nil {
			return err
		}
		args = append(args, debug.nodeArgs...)
	}
	args = append(args, runScript)
	// A policy pack takes the engine's arguments first and its own folder last; other plugins the
	// other way round.
	if analyzer {
		args = append(append(args, req.GetArgs()...), dir)
	} else {
		args = append(append(args, dir), req.GetArgs()...)
	}

	// Policy packs written for older @pulumi/policy releases read the stack they check from
	// environment variables: a proxy takes the engine's ConfigureStack call and passes it on as
	// those variables, as upstream's host does.
	var proxy *sdk.PolicyProxy
	if analyzer {
		if proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout); err != nil {
			return fmt.Errorf("could not start policy pack proxy: %w", err)
		}
		stack, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get stack configuration: %w", err)
		}
		if env, err = appendStackEnv(env, stack); err != nil {
			return err
		}
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = req.GetPwd()
	if analyzer || cmd.Dir == "" {
		cmd.Dir = dir
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	logging.V(5).Infof("Constructed NodeJS command to run: %s", cmd)

	if err := host.children.start(cmd); err != nil {
		return fmt.Errorf("Problem executing plugin program (could not run language executor): %w", err)
	}
	if debug != nil {
		if err := host.startDebugging(ctx, cmd, debug, fmt.Sprintf("Pulumi: Plugin (%s)", req.GetName())); err != nil {
			_ = cmd.Process.Kill()
			_ = host.children.wait(cmd)
			return err
		}
	}
	if proxy != nil {
		// The proxy waits for the policy pack itself.
		err = proxy.Attach(ctx, cmd)
		host.children.forget(cmd)
		if err != nil {
			return fmt.Errorf("could not attach policy pack proxy: %w", err)
		}
	} else if err := host.children.wait(cmd); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return fmt.Errorf("Program exited with non-zero exit code: %d", exitErr.ExitCode())
		}
		return fmt.Errorf("Problem executing plugin program (could not run language executor): %w", err)
	}
	return closer.Close()
}

// appendStackEnv adds what the engine said about the stack a policy pack checks.
func appendStackEnv(env []string, stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	if stack == nil {
		return env, nil
	}
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	add("PULUMI_NODEJS_ORGANIZATION", stack.GetOrganization())
	add("PULUMI_NODEJS_PROJECT", stack.GetProject())
	add("PULUMI_NODEJS_STACK", stack.GetStack())
	add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
	if stack.GetConfig() != nil {
		b, err := json.Marshal(stack.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("could not marshal stack configuration: %w", err)
		}
		add("PULUMI_CONFIG", string(b))
	}
	return env, nil
}
