// gitops-engine-sync: one sync of a folder of manifests with Argo CD's gitops-engine, driven the way
// Argo CD's application controller drives it (controller/sync.go): every step of the operation
// reconciles against fresh live state from the cluster cache and carries the operation's state over
// with sync.WithInitialState, so waves and hooks complete. (The engine's own Sync helper keeps one
// sync context whose live objects are never refreshed, and never finishes a multi-wave sync.)
//
// It is SyncWave's benchmark peer: `--runs N` syncs N times in one process (the first run "cold",
// building the cluster cache; later ones "warm", Argo CD's steady state), `--before CMD` runs a
// shell command before each later run, and one JSON line per run reports the phase and seconds.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2/textlogger"

	"github.com/argoproj/gitops-engine/pkg/cache"
	"github.com/argoproj/gitops-engine/pkg/diff"
	"github.com/argoproj/gitops-engine/pkg/sync"
	"github.com/argoproj/gitops-engine/pkg/sync/common"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/gitops-engine/pkg/utils/tracing"
)

const markAnnotation = "syncwave.dev/gitops-engine-peer"

type runResult struct {
	Run          int     `json:"run"`
	Phase        string  `json:"phase"`
	Message      string  `json:"message,omitempty"`
	Seconds      float64 `json:"seconds"`
	CacheSeconds float64 `json:"cacheSeconds,omitempty"`
	Steps        int     `json:"steps"`
}

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file")
	namespace := flag.String("namespace", "default", "namespace for objects that name none")
	qps := flag.Float64("qps", 50, "client QPS (Argo CD's controller default)")
	burst := flag.Int("burst", 100, "client burst (Argo CD's controller default)")
	runs := flag.Int("runs", 1, "syncs in this process: the first is cold, the others warm")
	before := flag.String("before", "", "shell command run before every run after the first")
	prune := flag.Bool("prune", true, "prune objects of this folder that left it")
	timeout := flag.Duration("timeout", 10*time.Minute, "give up on one run after this long")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gitops-engine-sync [flags] DIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	log := textlogger.NewLogger(textlogger.NewConfig(textlogger.Verbosity(0)))

	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	fail(err)
	config.QPS, config.Burst = float32(*qps), *burst

	mark := func(key kube.ResourceKey) string {
		h := sha256.Sum256([]byte(dir + "\x00" + strings.Join([]string{key.Group, key.Kind, key.Name}, "/")))
		return "sha256." + base64.RawURLEncoding.EncodeToString(h[:])
	}
	clusterCache := cache.NewClusterCache(config,
		cache.SetLogr(log),
		cache.SetPopulateResourceInfoHandler(func(un *unstructured.Unstructured, _ bool) (any, bool) {
			m := un.GetAnnotations()[markAnnotation]
			return m, m != ""
		}),
	)
	kubectl := &kube.KubectlCmd{Log: log, Tracer: tracing.NopTracer{}}

	failed := false
	for run := 1; run <= *runs; run++ {
		if run > 1 && *before != "" {
			cmd := exec.Command("sh", "-c", *before)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			fail(cmd.Run())
		}
		start := time.Now()
		result := runResult{Run: run}
		if run == 1 {
			fail(clusterCache.EnsureSynced())
			result.CacheSeconds = time.Since(start).Seconds()
		}
		targets, err := manifests(dir, mark)
		fail(err)
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		phase, message, steps := syncOnce(ctx, clusterCache, config, kubectl, targets, *namespace, *prune, mark)
		cancel()
		result.Phase, result.Message, result.Steps = string(phase), message, steps
		result.Seconds = time.Since(start).Seconds()
		out, _ := json.Marshal(result)
		fmt.Println(string(out))
		failed = failed || phase != common.OperationSucceeded
	}
	if failed {
		os.Exit(1)
	}
}

// syncOnce runs one sync operation to its end: each step reconciles against the cache's live objects
// and a new sync context resumes the operation's state.
func syncOnce(ctx context.Context, clusterCache cache.ClusterCache, config *rest.Config, kubectl kube.Kubectl, targets []*unstructured.Unstructured, namespace string, prune bool, mark func(kube.ResourceKey) string) (common.OperationPhase, string, int) {
	isManaged := func(r *cache.Resource) bool {
		m, _ := r.Info.(string)
		return m != "" && m == mark(r.ResourceKey())
	}
	updated := make(chan struct{}, 1)
	unsubscribe := clusterCache.OnResourceUpdated(func(newRes, oldRes *cache.Resource, _ map[kube.ResourceKey]*cache.Resource) {
		r := newRes
		if r == nil {
			r = oldRes
		}
		if isManaged(r) {
			// Never blocks inside the cache's lock.
			select {
			case updated <- struct{}{}:
			default:
			}
		}
	})
	defer unsubscribe()

	var (
		phase     common.OperationPhase
		message   string
		results   []common.ResourceSyncResult
		startedAt = metav1.Now()
		skipHooks *bool
	)
	for steps := 1; ; steps++ {
		live, err := clusterCache.GetManagedLiveObjs(targets, isManaged)
		if err != nil {
			return common.OperationError, err.Error(), steps
		}
		reconciled := sync.Reconcile(targets, live, namespace, clusterCache)
		if skipHooks == nil {
			// As the agent: hooks run only when something differs.
			d, err := diff.DiffArray(reconciled.Target, reconciled.Live)
			if err != nil {
				return common.OperationError, err.Error(), steps
			}
			skip := !d.Modified
			skipHooks = &skip
		}
		opts := []sync.SyncOpt{sync.WithPrune(prune), sync.WithSkipHooks(*skipHooks)}
		if steps > 1 {
			opts = append(opts, sync.WithInitialState(phase, message, results, startedAt))
		}
		syncCtx, cleanup, err := sync.NewSyncContext("HEAD", reconciled, config, config, kubectl, namespace, clusterCache.GetOpenAPISchema(), opts...)
		if err != nil {
			return common.OperationError, err.Error(), steps
		}
		syncCtx.Sync()
		phase, message, results = syncCtx.GetState()
		cleanup()
		if phase.Completed() {
			return phase, message, steps
		}
		select {
		case <-ctx.Done():
			return common.OperationFailed, fmt.Sprintf("timed out in phase %s: %s", phase, message), steps
		case <-updated:
		case <-time.After(time.Second):
		}
	}
}

// manifests reads every .yaml, .yml and .json file under dir and marks each object as this folder's.
func manifests(dir string, mark func(kube.ResourceKey) string) ([]*unstructured.Unstructured, error) {
	var objects []*unstructured.Unstructured
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
		default:
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		items, err := kube.SplitYAML(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		objects = append(objects, items...)
		return nil
	})
	for _, o := range objects {
		annotations := o.GetAnnotations()
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[markAnnotation] = mark(kube.GetResourceKey(o))
		o.SetAnnotations(annotations)
	}
	return objects, err
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gitops-engine-sync:", err)
		os.Exit(1)
	}
}
