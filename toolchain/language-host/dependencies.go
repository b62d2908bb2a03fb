package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// InstallDependencies installs a program's (or plugin's) packages with the project's package manager:
// the `packagemanager` option, else the one whose lock file is there (yarn, pnpm, bun), else npm; at
// the root of the npm/yarn/pnpm workspace the program belongs to, if any.
func (host *nodeLanguageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	dir := programDirectory(req.GetInfo(), req.GetDirectory())
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return fmt.Errorf("failed to parse options: %w", err)
	}

	fmt.Fprint(stdout, "Installing dependencies...\n\n")
	root := dir
	if workspace, err := npm.FindWorkspaceRoot(dir); err == nil {
		fmt.Fprintf(stdout, "Detected workspace root at %s\n", workspace)
		root = workspace
	} else if !errors.Is(err, npm.ErrNotInWorkspace) {
		return fmt.Errorf("failure while trying to find workspace root: %w", err)
	}
	if _, err := npm.Install(server.Context(), opts.packageManager, root, opts.production, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprint(stdout, "Finished installing dependencies\n\n")
	return closer.Close()
}

// GetProgramDependencies lists the program's packages, as its package manager reports them.
func (host *nodeLanguageHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return nil, fmt.Errorf("failed to parse options: %w", err)
	}
	pm, err := npm.ResolvePackageManager(opts.packageManager, req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, fmt.Errorf("failed to determine package manager: %w", err)
	}
	packages, err := pm.ListPackages(ctx, req.GetInfo().GetProgramDirectory(), req.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("failed to get node dependencies: %w", err)
	}
	deps := make([]*pulumirpc.DependencyInfo, len(packages))
	for i, p := range packages {
		deps[i] = &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// About reports node, the package manager and the TypeScript the program would load (`pulumi about`).
func (host *nodeLanguageHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return nil, fmt.Errorf("failed to parse options: %w", err)
	}
	pm, err := npm.ResolvePackageManager(opts.packageManager, req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, fmt.Errorf("could not resolve packagemanager: %w", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find executable %q: %w", "node", err)
	}
	var nodeVersion, pmVersion, tsVersion string
	var wg sync.WaitGroup
	wg.Go(func() {
		if out, err := exec.CommandContext(ctx, node, "--version").Output(); err == nil {
			nodeVersion = strings.TrimSpace(string(out))
		}
	})
	wg.Go(func() {
		if v, err := pm.Version(); err == nil {
			pmVersion = v.String()
		}
	})
	wg.Go(func() {
		// The TypeScript the program loads, resolved as node resolves it from the program.
		cmd := exec.CommandContext(ctx, node, "-e", "console.log(require('typescript/package.json').version)")
		cmd.Dir = req.GetInfo().GetProgramDirectory()
		if out, err := cmd.Output(); err == nil {
			tsVersion = strings.TrimSpace(string(out))
		}
	})
	wg.Wait()
	metadata := map[string]string{"packagemanager": pm.Name(), "packagemanagerVersion": pmVersion}
	if tsVersion != "" {
		metadata["typescriptVersion"] = tsVersion
	}
	return &pulumirpc.AboutResponse{Executable: node, Version: nodeVersion, Metadata: metadata}, nil
}

// RuntimeOptionsPrompts asks `pulumi new` for a package manager when the template names none.
func (host *nodeLanguageHost) RuntimeOptionsPrompts(
	_ context.Context, req *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	var prompts []*pulumirpc.RuntimeOptionPrompt
	if _, has := req.GetInfo().GetOptions().AsMap()["packagemanager"]; !has {
		prompts = append(prompts, &pulumirpc.RuntimeOptionPrompt{
			Key:         "packagemanager",
			Description: "The package manager to use for installing dependencies",
			PromptType:  pulumirpc.RuntimeOptionPrompt_STRING,
			Choices:     plugin.MakeExecutablePromptChoices("npm", "pnpm", "yarn", "bun"),
			Default: &pulumirpc.RuntimeOptionPrompt_RuntimeOptionValue{
				PromptType:  pulumirpc.RuntimeOptionPrompt_STRING,
				StringValue: "npm",
			},
		})
	}
	return &pulumirpc.RuntimeOptionsResponse{Prompts: prompts}, nil
}

// Template finishes a project `pulumi new` made: with pnpm, a pnpm-workspace.yaml that keeps
// protobufjs's install script from running, as upstream's host writes it.
func (host *nodeLanguageHost) Template(_ context.Context, req *pulumirpc.TemplateRequest) (*pulumirpc.TemplateResponse, error) {
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return nil, err
	}
	if opts.packageManager == npm.PnpmPackageManager {
		path := filepath.Join(req.GetInfo().GetProgramDirectory(), "pnpm-workspace.yaml")
		if _, err := os.Stat(path); os.IsNotExist(err) {
			content := "# Don't run protobufjs's unnecessary install script (pnpm 11 fails install unless it's listed here).\n" +
				"# https://github.com/protobufjs/protobuf.js/pull/2299\n" +
				"allowBuilds:\n" +
				"  protobufjs: false\n"
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				return nil, fmt.Errorf("writing pnpm-workspace.yaml: %w", err)
			}
		}
	}
	return &pulumirpc.TemplateResponse{}, nil
}
