package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// exitCodeUserActionableMessage is what @pulumi/pulumi's cmd/run exits with once it has already
// shown the user an actionable error: the engine then stops without adding a message of its own.
const exitCodeUserActionableMessage = 32

// interruptGrace is how long an interrupted program has to exit before it is killed (upstream: 5 s).
const interruptGrace = 5 * time.Second

// Run executes a Pulumi program through @pulumi/pulumi's cmd/run, found from the program's directory.
//
// Upstream's host also puts a proxy of the resource monitor and a pair of pipes for synchronous
// invokes between the engine and the program; @pulumi/pulumi at this release no longer uses those
// pipes (nothing calls tryGetSyncInvokes), so the program talks to the engine's monitor directly.
func (host *nodeLanguageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	dir := programDirectory(info, req.GetPwd())
	opts, err := parseOptions(info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	if warning := unknownOptionsWarning(info); warning != "" {
		fmt.Fprint(os.Stderr, warning)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not find node on the $PATH: %v", err)}, nil
	}
	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = "@pulumi/pulumi/cmd/run"
	}
	runScript, err := locateModule(node, runPath, dir, "pulumi install")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	configJSON, err := configForNode(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("failed to serialize configuration: %v", err)}, nil
	}
	secretKeys, err := json.Marshal(nonNil(req.GetConfigSecretKeys()))
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("failed to serialize configuration secret keys: %v", err)}, nil
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+configJSON, "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	env = append(env, opts.env()...)
	env = append(env, host.tracingEnv(ctx)...)

	args := append([]string{}, opts.nodeArgs...)
	var debug *debugSetup
	if req.GetAttachDebugger() {
		if debug, err = newDebugSetup(); err != nil {
			return &pulumirpc.RunResponse{Error: err.Error()}, nil
		}
		args = append(args, debug.nodeArgs...)
	}
	args = append(args, host.runArguments(req, runScript, dir)...)

	// The program is interrupted when the engine calls Cancel or gives up on this request; it gets
	// interruptGrace to finish, as with upstream's host, then it is killed.
	runCtx, stopRun := context.WithCancel(host.cancelled)
	defer stopRun()
	context.AfterFunc(ctx, stopRun)
	cmd := exec.CommandContext(runCtx, node, args...)
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = interruptGrace
	cmd.Dir = dir
	cmd.Env = env
	logging.V(5).Infof("Constructed NodeJS command to run: %s", cmd)
	// Node may switch its standard streams to non-blocking mode: never hand it the host's own files.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	stderr, sniffer := newOOMSniffer(os.Stderr)
	cmd.Stderr = stderr

	err = host.children.start(cmd)
	if err == nil && debug != nil {
		err = host.startDebugging(ctx, cmd, debug, "Pulumi: Program (nodejs)")
		if err != nil {
			_ = cmd.Process.Kill()
			_ = host.children.wait(cmd)
		}
	}
	if err == nil {
		err = host.children.wait(cmd)
	}
	// Node does not flush process.stdout/stderr writes before it exits: make sure the engine has
	// whatever the program said before the host reports how it ended.
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	stderr.Close()
	return &pulumirpc.RunResponse{Error: runError(err, sniffer), Bail: bails(err)}, nil
}

// bails says the program exited having already shown the user an actionable message.
func bails(err error) bool {
	var exitErr *exec.ExitError
	return errors.As(err, &exitErr) && exitErr.ExitCode() == exitCodeUserActionableMessage
}

// runError is the message the engine shows for how the program ended: none on success or when the
// program has already said everything (exit code 32).
func runError(err error, sniffer *oomSniffer) string {
	var exitErr *exec.ExitError
	switch {
	case err == nil || bails(err):
		return ""
	case errors.As(err, &exitErr):
		code := exitErr.ExitCode()
		if code == 0 {
			return fmt.Sprintf("Program exited unexpectedly: %v", exitErr)
		}
		message := fmt.Sprintf("Program exited with non-zero exit code: %d", code)
		if sniffer.detected() {
			message += ". " + oomAdvice
		}
		return message
	default:
		return fmt.Sprintf("Problem executing program (could not run language executor): %v", err)
	}
}

// runArguments are cmd/run's arguments, as upstream's host builds them.
func (host *nodeLanguageHost) runArguments(req *pulumirpc.RunRequest, runScript, dir string) []string {
	args := []string{runScript}
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", host.engineAddress)
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("root-directory", req.GetInfo().GetRootDirectory())
	flag("stack", req.GetStack())
	flag("pwd", dir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flag("parallel", strconv.Itoa(int(req.GetParallel())))
	flag("tracing", host.tracing)
	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram()
	}
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	return append(args, req.GetArgs()...)
}

// tracingEnv passes the current trace on to the program, as upstream's host does.
func (host *nodeLanguageHost) tracingEnv(ctx context.Context) []string {
	var env []string
	carrier := make(propagation.MapCarrier)
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	if traceparent := carrier.Get("traceparent"); traceparent != "" {
		env = append(env, "TRACEPARENT="+traceparent)
	}
	if host.otelEndpoint != "" {
		env = append(env, "PULUMI_OTEL_EXPORTER_OTLP_ENDPOINT="+host.otelEndpoint)
	}
	return env
}

// configForNode serializes stack configuration as @pulumi/pulumi reads it from PULUMI_CONFIG, with
// keys in the <namespace>:config:<name> form that every SDK release understands.
func configForNode(cfg map[string]string) (string, error) {
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", fmt.Errorf("invalid configuration key %q: %w", k, err)
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func programDirectory(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	if fallback != "" {
		return fallback
	}
	wd, _ := os.Getwd()
	return wd
}

// locateModule resolves a module the way Node.js does from dir, so that the program's own copy of
// @pulumi/pulumi runs it.
func locateModule(node, module, dir, installCommand string) (string, error) {
	script := fmt.Sprintf(`try { console.log(require.resolve(%q)); } catch (error) { `+
		`if (error.code === "MODULE_NOT_FOUND") { console.error("It looks like the Pulumi SDK has not been installed. Have you run %s?"); } `+
		`else { console.error(error.message); } process.exit(1); }`, module, installCommand)
	cmd := exec.Command(node, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", errors.New(string(exitErr.Stderr))
		}
		return "", err
	}
	return string(trimNewline(out)), nil
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
