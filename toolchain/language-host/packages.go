package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// GetRequiredPackages lists the resource plugins a program needs: every package under a node_modules
// folder below the program's directory whose package.json says `"pulumi": {"resource": true}`. As
// upstream, it walks the whole tree below the program (following symlinks once, skipping policy
// packs, whose plugins are not the program's), reports what it found even when parts could not be
// read, and warns when copies of @pulumi/pulumi of incompatible versions are installed.
// (GetRequiredPlugins, the older call, is unimplemented upstream too: the engine falls back.)
func (host *nodeLanguageHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	walk := packageWalk{sdkVersions: map[string]semver.Version{}, visited: map[string]bool{}}
	packages := walk.dir(req.GetInfo().GetProgramDirectory(), false)
	if err := errors.Join(walk.errs...); err != nil {
		logging.V(3).Infof("one or more errors while discovering plugins: %s", err)
	}
	if warning := incompatibleSDKs(walk.sdkVersions); warning != "" {
		fmt.Fprint(os.Stderr, warning)
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

type packageWalk struct {
	sdkVersions map[string]semver.Version // package.json path of each @pulumi/pulumi → its version
	visited     map[string]bool
	errs        []error
}

func (w *packageWalk) dir(dir string, inNodeModules bool) []*pulumirpc.PackageDependency {
	dir, err := filepath.Abs(dir)
	if err != nil || w.visited[dir] {
		return nil
	}
	w.visited[dir] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("reading plugin dir %s: %w", dir, err))
		return nil
	}
	var packages []*pulumirpc.PackageDependency
	for _, entry := range entries {
		path := filepath.Join(dir, entry.Name())
		isDir := entry.IsDir()
		if entry.Type()&os.ModeSymlink != 0 {
			resolved, err := filepath.EvalSymlinks(path)
			if err != nil {
				w.errs = append(w.errs, fmt.Errorf("resolving link in plugin dir %s: %w", path, err))
				continue
			}
			st, err := os.Stat(resolved)
			if err != nil {
				w.errs = append(w.errs, err)
				continue
			}
			path, isDir = resolved, st.IsDir()
		}
		switch {
		case isDir:
			policyPack, err := workspace.DetectPolicyPackPathAt(path)
			if err != nil {
				w.errs = append(w.errs, err)
				continue
			}
			if policyPack == "" {
				packages = append(packages, w.dir(path, inNodeModules || filepath.Base(dir) == "node_modules")...)
			}
		case inNodeModules && entry.Name() == "package.json":
			if dep := w.packageJSON(path); dep != nil {
				packages = append(packages, dep)
			}
		}
	}
	return packages
}

// packageJSON is the part of a package.json that says which resource plugin a package needs.
type packageJSON struct {
	Name    string                  `json:"name"`
	Version string                  `json:"version"`
	Pulumi  plugin.PulumiPluginJSON `json:"pulumi"`
}

func (w *packageWalk) packageJSON(path string) *pulumirpc.PackageDependency {
	b, err := os.ReadFile(path)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("reading package.json %s: %w", path, err))
		return nil
	}
	var info packageJSON
	if err := json.Unmarshal(b, &info); err != nil {
		w.errs = append(w.errs, fmt.Errorf("unmarshaling package.json %s: %w", path, err))
		return nil
	}
	if info.Name == "@pulumi/pulumi" {
		if v, err := semver.Parse(info.Version); err == nil {
			w.sdkVersions[path] = v
		} else {
			w.errs = append(w.errs, fmt.Errorf("could not understand version %s in %s: %w", info.Version, path, err))
		}
	}
	if !info.Pulumi.Resource {
		return nil
	}
	name, err := pluginName(info)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("%s: %w", path, err))
		return nil
	}
	version := info.Pulumi.Version
	if version == "" {
		version = info.Version
	}
	if version == "" {
		w.errs = append(w.errs, fmt.Errorf("%s: missing expected \"version\" property", path))
		return nil
	}
	if !strings.HasPrefix(version, "v") {
		version = "v" + version
	}
	dep := &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: version, Server: info.Pulumi.Server}
	if p := info.Pulumi.Parameterization; p != nil {
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	if p := info.Pulumi.ExtensionParameterization; p != nil {
		dep.Extension = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	return dep
}

// pluginName is the "pulumi" section's name, else the package's own name without its @pulumi/ scope;
// a package from another scope must name its plugin.
func pluginName(info packageJSON) (string, error) {
	if info.Pulumi.Name != "" {
		return info.Pulumi.Name, nil
	}
	if info.Name == "" {
		return "", errors.New("missing expected \"name\" property")
	}
	if strings.HasPrefix(info.Name, "@pulumi/") {
		return strings.TrimPrefix(info.Name, "@pulumi/"), nil
	}
	return "", fmt.Errorf("missing property \"name\" for the third-party plugin '%v' inside package.json under the \"pulumi\" section", info.Name)
}

// incompatibleSDKs warns, as upstream does, when two installed @pulumi/pulumi copies differ in major
// version (or, before 1.0, in minor version).
func incompatibleSDKs(versions map[string]semver.Version) string {
	paths := make([]string, 0, len(versions))
	for p := range versions {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths[min(1, len(paths)):] {
		first, v := versions[paths[0]], versions[p]
		if ok, why := compatibleVersions(v, first); !ok {
			return fmt.Sprintf("Found incompatible versions of @pulumi/pulumi. %s\n  Version %s referenced at %s\n  Version %s referenced at %s\n",
				why, first, paths[0], v, p)
		}
	}
	return ""
}

func compatibleVersions(a, b semver.Version) (bool, string) {
	switch {
	case a.Major == 0 && b.Major == 0:
		if a.Minor != b.Minor {
			return false, "Differing major or minor versions are not supported."
		}
	case a.Major >= 1 && a.Major <= 2 && b.Major >= 1 && b.Major <= 2:
	case a.Major > 2 || b.Major > 2:
		if a.Major != b.Major {
			return false, "Differing major versions are not supported."
		}
	case a.Major == 1 && b.Major == 0 && b.Minor == 17 || b.Major == 1 && a.Major == 0 && a.Minor == 17:
	default:
		return false, "Differing major or minor versions are not supported."
	}
	return true, ""
}
