package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/google/shlex"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// nodeOptions are the `runtime.options` of Pulumi.yaml (or PulumiPolicy.yaml, PulumiPlugin.yaml),
// read and checked as upstream's host reads them.
type nodeOptions struct {
	// typescript: run TypeScript through ts-node (default true).
	typescript bool
	// tsconfig: the tsconfig.json ts-node uses.
	tsconfigPath string
	// nodeargs: arguments for node itself, split as a POSIX shell would.
	nodeArgs []string
	// packagemanager: auto (the default: from the lock file), npm, yarn, pnpm or bun.
	packageManager npm.PackageManagerType
	// production: install without devDependencies.
	production bool
}

// knownOptions are the options upstream's host reads; others are named in a warning, not dropped
// silently.
var knownOptions = map[string]bool{
	"typescript": true, "tsconfig": true, "nodeargs": true, "packagemanager": true, "production": true,
}

func parseOptions(info *pulumirpc.ProgramInfo) (nodeOptions, error) {
	opts := nodeOptions{typescript: true, packageManager: npm.AutoPackageManager}
	options := info.GetOptions().AsMap()
	var errs []error
	if v, ok := options["typescript"]; ok {
		if b, ok := v.(bool); ok {
			opts.typescript = b
		} else {
			errs = append(errs, errors.New("typescript option must be a boolean"))
		}
	}
	if v, ok := options["tsconfig"]; ok {
		if s, ok := v.(string); ok {
			opts.tsconfigPath = s
		} else {
			errs = append(errs, errors.New("tsconfig option must be a string"))
		}
	}
	if v, ok := options["nodeargs"]; ok {
		if s, ok := v.(string); ok {
			args, err := shlex.Split(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("nodeargs option %q cannot be split into arguments: %w", s, err))
			}
			opts.nodeArgs = args
		} else {
			errs = append(errs, errors.New("nodeargs option must be a string"))
		}
	}
	if v, ok := options["production"]; ok {
		if b, ok := v.(bool); ok {
			opts.production = b
		} else {
			errs = append(errs, errors.New("production option must be a boolean"))
		}
	}
	if v, ok := options["packagemanager"]; ok {
		s, _ := v.(string)
		switch npm.PackageManagerType(s) {
		case npm.AutoPackageManager, npm.NpmPackageManager, npm.YarnPackageManager, npm.PnpmPackageManager, npm.BunPackageManager:
			opts.packageManager = npm.PackageManagerType(s)
		default:
			errs = append(errs, fmt.Errorf("packagemanager option must be one of auto, npm, yarn, pnpm or bun, got %v", v))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return opts, fmt.Errorf("runtime options of %s: %w", projectFileOf(info), err)
	}
	return opts, nil
}

// unknownOptionsWarning names the runtime options this host does not read, or is empty.
func unknownOptionsWarning(info *pulumirpc.ProgramInfo) string {
	var unknown []string
	for name := range info.GetOptions().AsMap() {
		if !knownOptions[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return ""
	}
	sort.Strings(unknown)
	return fmt.Sprintf("warning: %s: runtime option(s) %s are not Node.js runtime options and are ignored "+
		"(known: typescript, tsconfig, nodeargs, packagemanager, production)\n",
		projectFileOf(info), strings.Join(unknown, ", "))
}

// env is what the Node side of @pulumi/pulumi reads of these options.
func (o nodeOptions) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfigPath)
	}
	return env
}

// projectFileOf names the file the runtime options came from, for error messages.
func projectFileOf(info *pulumirpc.ProgramInfo) string {
	dir := info.GetRootDirectory()
	if dir == "" {
		dir = info.GetProgramDirectory()
	}
	for _, name := range []string{"Pulumi.yaml", "Pulumi.yml", "PulumiPolicy.yaml", "PulumiPlugin.yaml"} {
		path := dir + string(os.PathSeparator) + name
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	return "the project file in " + dir
}
