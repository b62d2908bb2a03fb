// pulumi-language-nodejs: the Node.js language host that the Pulumi engine starts to run programs,
// policy packs and plugins written in TypeScript or JavaScript.
//
// Pulumi publishes this host only in its release archives, which cannot be fetched here, and its Go
// module is not served by the module proxy. The Node.js side of the contract ships in the
// @pulumi/pulumi npm package (cmd/run, cmd/run-policy-pack, cmd/run-plugin), so this host only has to
// speak the engine's LanguageRuntime gRPC protocol, compiled against the same sdk/v3 release as the
// CLI, and start those scripts with the arguments and environment they read.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is stamped at build time with the Pulumi release this host is built against.
var version = "dev"

// exitCodeUserActionableMessage is what @pulumi/pulumi's cmd/run exits with once it has already
// shown the user an actionable error: the engine must then stop without adding its own message.
const exitCodeUserActionableMessage = 32

func main() {
	// The engine passes its own address as the last positional argument and may add flags (tracing,
	// logging) that this host does not use: accept and ignore them rather than refuse to start.
	var engineAddress string
	for _, arg := range os.Args[1:] {
		if !strings.HasPrefix(arg, "-") {
			engineAddress = arg
		}
	}

	host := &nodeLanguageHost{engineAddress: engineAddress, children: map[*exec.Cmd]struct{}{}}
	cancel := make(chan bool)
	// Like upstream's host, it checks that its engine is still there and stops once it is gone, taking
	// the programs it runs with it; upstream checks every 5 minutes, this host every 2 seconds, so a
	// killed `pulumi` leaves no host or program behind for long.
	engineGone, stopWatching := context.WithCancel(context.Background())
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(engineGone, engineAddress, engineCheckInterval, stopWatching); err != nil {
			fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not watch the engine at %s: %v\n", engineAddress, err)
			os.Exit(1)
		}
		go func() {
			<-engineGone.Done()
			host.stopChildren()
			close(cancel)
		}()
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of standard output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: gRPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

// engineCheckInterval is how often the host asks its engine whether it is still there.
const engineCheckInterval = 2 * time.Second

type nodeLanguageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string

	mu       sync.Mutex
	children map[*exec.Cmd]struct{}
}

// start starts a Node process and remembers it until it ends, so that the host can stop it when the
// engine is gone.
func (host *nodeLanguageHost) start(cmd *exec.Cmd) error {
	host.mu.Lock()
	defer host.mu.Unlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	host.children[cmd] = struct{}{}
	return nil
}

func (host *nodeLanguageHost) wait(cmd *exec.Cmd) error {
	err := cmd.Wait()
	host.mu.Lock()
	delete(host.children, cmd)
	host.mu.Unlock()
	return err
}

// stopChildren asks every running Node process to stop (SIGTERM), then kills what is left after 3 s.
func (host *nodeLanguageHost) stopChildren() {
	host.mu.Lock()
	running := make([]*exec.Cmd, 0, len(host.children))
	for cmd := range host.children {
		running = append(running, cmd)
	}
	host.mu.Unlock()
	for _, cmd := range running {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		host.mu.Lock()
		left := len(host.children)
		host.mu.Unlock()
		if left == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, cmd := range running {
		_ = cmd.Process.Kill()
	}
}

func (host *nodeLanguageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	host.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (host *nodeLanguageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: strings.TrimPrefix(version, "v")}, nil
}

func (host *nodeLanguageHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	packages, err := requiredPackages(programDirectory(req.GetInfo(), req.GetProgram()))
	if err != nil {
		return nil, err
	}
	plugins := make([]*pulumirpc.PluginDependency, 0, len(packages))
	for _, p := range packages {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (host *nodeLanguageHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	packages, err := requiredPackages(programDirectory(req.GetInfo(), ""))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

func (host *nodeLanguageHost) GetProgramDependencies(
	context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

func (host *nodeLanguageHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the PATH: %w", err)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{Executable: node, Version: strings.TrimSpace(string(out))}, nil
}

// Run executes a Pulumi program through @pulumi/pulumi's cmd/run, found from the program's directory.
func (host *nodeLanguageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	dir := programDirectory(info, req.GetPwd())
	opts := readOptions(info)
	runScript, err := resolveSDKScript(dir, "cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append([]string{}, opts.nodeArgs...)
	args = append(args, runScript)
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", host.engineAddress)
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("stack", req.GetStack())
	flag("pwd", dir)
	flag("root-directory", info.GetRootDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flag("parallel", fmt.Sprint(req.GetParallel()))
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram()
	}
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	configJSON, err := configForNode(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	secretKeys, err := json.Marshal(nonNil(req.GetConfigSecretKeys()))
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+configJSON, "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	env = append(env, opts.env()...)

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = dir
	cmd.Env = env
	// The engine shows the host's standard streams to the user as the program's output.
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err = host.start(cmd)
	if err == nil {
		err = host.wait(cmd)
	}
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitCodeUserActionableMessage:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
}

// RunPlugin runs a policy pack (kind "analyzer") or a plugin written in Node.js, streaming its output
// back; the engine reads the plugin's port from that output.
func (host *nodeLanguageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	info := req.GetInfo()
	dir := programDirectory(info, req.GetProgram())
	opts := readOptions(info)
	script := "cmd/run-plugin"
	if req.GetKind() == "analyzer" {
		script = "cmd/run-policy-pack"
	}
	scriptPath, err := resolveSDKScript(dir, script)
	if err != nil {
		return err
	}
	args := append([]string{}, opts.nodeArgs...)
	// The plugin runs in its own folder, where its package.json and node_modules are.
	args = append(args, scriptPath, "--pwd", dir)
	if req.GetKind() == "analyzer" {
		// run-policy-pack takes the engine address first, then the policy pack.
		args = append(args, req.GetArgs()...)
		args = append(args, dir)
	} else {
		args = append(args, dir)
		args = append(args, req.GetArgs()...)
	}

	cmd := exec.CommandContext(server.Context(), "node", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), req.GetEnv()...), opts.env()...)
	stdout := &streamWriter{send: func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	}}
	stderr := &streamWriter{send: func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	}}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	code := int32(0)
	err = host.start(cmd)
	if err == nil {
		err = host.wait(cmd)
	}
	if err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("could not run node for plugin %s: %w", dir, err)
		}
		code = int32(exitErr.ExitCode())
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

// InstallDependencies runs npm install in the program's directory, streaming its output.
func (host *nodeLanguageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := programDirectory(req.GetInfo(), req.GetDirectory())
	cmd := exec.CommandContext(server.Context(), "npm", "install", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Stdout = &streamWriter{send: func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	}}
	cmd.Stderr = &streamWriter{send: func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	}}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install in %s failed: %w", dir, err)
	}
	return nil
}

// streamWriter turns writes into gRPC stream messages.
type streamWriter struct{ send func([]byte) error }

func (w *streamWriter) Write(p []byte) (int, error) {
	if err := w.send(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
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

// runtimeOptions are the `runtime.options` of Pulumi.yaml that change how node starts.
type runtimeOptions struct {
	typescript   bool
	tsconfigPath string
	nodeArgs     []string
}

func readOptions(info *pulumirpc.ProgramInfo) runtimeOptions {
	opts := runtimeOptions{typescript: true}
	fields := info.GetOptions().GetFields()
	if v, ok := fields["typescript"]; ok {
		opts.typescript = v.GetBoolValue()
	}
	if v, ok := fields["tsconfig"]; ok {
		opts.tsconfigPath = v.GetStringValue()
	}
	if v, ok := fields["nodeargs"]; ok {
		opts.nodeArgs = strings.Fields(v.GetStringValue())
	}
	return opts
}

func (o runtimeOptions) env() []string {
	env := []string{fmt.Sprintf("PULUMI_NODEJS_TYPESCRIPT=%t", o.typescript)}
	if o.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfigPath)
	}
	return env
}

// resolveSDKScript finds a script of the @pulumi/pulumi package that the program itself depends on,
// the way Node.js would resolve it from the program's directory.
func resolveSDKScript(dir, script string) (string, error) {
	cmd := exec.Command("node", "-e", fmt.Sprintf("process.stdout.write(require.resolve('@pulumi/pulumi/%s'))", script))
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("the Pulumi SDK (@pulumi/pulumi) is not installed for %s: run npm install there", dir)
	}
	return string(out), nil
}

// configForNode serializes stack configuration as @pulumi/pulumi reads it from PULUMI_CONFIG,
// with keys in the <namespace>:config:<name> form that every SDK release understands.
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

// packageJSON is the part of a package.json that says which resource plugin a package needs.
type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// requiredPackages lists the resource plugins declared by the packages installed for a program:
// every node_modules package (scoped or not) whose package.json has `"pulumi": {"resource": true}`.
func requiredPackages(dir string) ([]*pulumirpc.PackageDependency, error) {
	modules := findNodeModules(dir)
	if modules == "" {
		return nil, nil
	}
	var manifests []string
	for _, pattern := range []string{"*/package.json", "@*/*/package.json"} {
		found, err := filepath.Glob(filepath.Join(modules, pattern))
		if err != nil {
			return nil, err
		}
		manifests = append(manifests, found...)
	}
	var packages []*pulumirpc.PackageDependency
	for _, manifest := range manifests {
		b, err := os.ReadFile(manifest)
		if err != nil {
			return nil, err
		}
		var pkg packageJSON
		if err := json.Unmarshal(b, &pkg); err != nil {
			return nil, fmt.Errorf("reading %s: %w", manifest, err)
		}
		if !pkg.Pulumi.Resource {
			continue
		}
		name := pkg.Pulumi.Name
		if name == "" {
			name = strings.TrimPrefix(strings.TrimPrefix(pkg.Name, "@pulumi/"), "@")
		}
		v := pkg.Pulumi.Version
		if v == "" {
			v = pkg.Version
		}
		packages = append(packages, &pulumirpc.PackageDependency{
			Name: name, Kind: "resource", Version: "v" + strings.TrimPrefix(v, "v"), Server: pkg.Pulumi.Server,
		})
	}
	return packages, nil
}

// findNodeModules returns the nearest node_modules folder at or above dir, as Node.js resolves.
func findNodeModules(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
