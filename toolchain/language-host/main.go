// pulumi-language-nodejs: the Node.js language host that the Pulumi engine starts to run programs,
// policy packs and plugins written in TypeScript or JavaScript.
//
// Pulumi publishes this host only in its release archives, which cannot be fetched here, and its Go
// module is not served by the module proxy. The Node.js side of the contract ships in the
// @pulumi/pulumi npm package (cmd/run, cmd/run-policy-pack, cmd/run-plugin), so this host speaks the
// engine's LanguageRuntime gRPC protocol, compiled against the same sdk/v3 release as the CLI, and
// starts those scripts with the arguments and environment they read. Each file follows one part of
// upstream's host (sdk/nodejs/cmd/pulumi-language-nodejs/main.go at the same release); the README's
// toolchain section lists where this host differs and why.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// version is stamped at build time with the Pulumi release this host is built against.
var version = "dev"

// engineCheckInterval is how often the host asks its engine whether it is still there. Upstream
// checks every 5 minutes; every 2 seconds means a killed `pulumi` leaves no host or program behind
// for long, at the cost of one local health RPC per interval.
const engineCheckInterval = 2 * time.Second

func main() {
	// The same flags as upstream's host; the engine passes its own address as the one argument.
	tracing := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	runtimeName := flag.String("runtime", "nodejs", "The runtime that runs programs; only `nodejs` is supported")
	showVersion := flag.Bool("version", false, "Print the current plugin version and exit")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(),
			"Usage: pulumi-language-nodejs [flags] [ENGINE_ADDRESS]\n\n"+
				"The Node.js language host the Pulumi engine starts to run programs, policy packs and plugins.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *showVersion {
		fmt.Println(version)
		os.Exit(0)
	}
	logging.InitLogging(false, 0, false)

	otelEndpoint := os.Getenv("PULUMI_OTEL_EXPORTER_OTLP_ENDPOINT")
	if otelEndpoint == "" {
		cmdutil.InitTracing("pulumi-language-nodejs", "pulumi-language-nodejs", *tracing)
	} else {
		if err := cmdutil.InitOtelTracing("pulumi-language-nodejs", otelEndpoint); err != nil {
			logging.V(3).Infof("failed to initialize OTel tracing: %v", err)
		}
		defer cmdutil.CloseOtelTracing()
	}

	if *runtimeName != "nodejs" {
		// Upstream also runs programs with bun; this toolchain has no bun, so it refuses rather than
		// run something else than asked.
		cmdutil.Exit(fmt.Errorf("unsupported runtime: %s (this host runs Node.js only)", *runtimeName))
	}

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	host := newLanguageHost(engineAddress, *tracing, otelEndpoint)

	// An interrupt (the engine interrupts its plugins' process group when it closes them) stops the
	// server, as upstream's host does; the Node processes in the same group get the signal too.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	if engineAddress != "" {
		// When the engine is gone (killed, crashed), stop the Node processes this host started and
		// exit: nothing is left to report to, and a program left running would keep acting.
		if err := rpcutil.Healthcheck(ctx, engineAddress, engineCheckInterval, func() {
			host.children.stopAll()
			stop()
		}); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(cancel)
	}()

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	// The engine reads the port from the first line of standard output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}
