// syncwave-registry: a local OCI registry for tests, distribution's HTTP API over its filesystem
// storage driver only. The upstream binary (cmd/registry) links every cloud storage driver, TLS,
// Let's Encrypt and OpenTelemetry; tests need none of them, so this main builds the app handler
// (registry/handlers.NewApp) directly and serves it over plain HTTP.
//
//	syncwave-registry -addr 127.0.0.1:5000 -root /tmp/registry
//
// It prints "listening on ADDR" (the bound address, so -addr 127.0.0.1:0 picks a free port) once it
// accepts connections, and stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	"github.com/sirupsen/logrus"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on (port 0: a free port)")
	root := flag.String("root", "", "directory the registry stores blobs and manifests in (required)")
	flag.Parse()
	if *root == "" {
		fmt.Fprintln(os.Stderr, "syncwave-registry: -root DIR is required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*root, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "syncwave-registry: %v\n", err)
		os.Exit(1)
	}
	// Only errors: the tests read the "listening on" line from stdout and the errors from stderr.
	logrus.SetLevel(logrus.ErrorLevel)
	logrus.SetOutput(os.Stderr)

	config := &configuration.Configuration{}
	config.Storage = configuration.Storage{
		"filesystem": configuration.Parameters{"rootdirectory": *root},
		// Tests push and read within seconds: purging stale uploads would only start a goroutine.
		"maintenance": configuration.Parameters{"uploadpurging": map[any]any{"enabled": false}},
		"delete":      configuration.Parameters{"enabled": true},
	}
	config.Log.Level = "error"

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	app := handlers.NewApp(ctx, config)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "syncwave-registry: listen on %s: %v\n", *addr, err)
		os.Exit(1)
	}
	server := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("listening on %s\n", ln.Addr().String())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()
	if err := server.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintf(os.Stderr, "syncwave-registry: %v\n", err)
		os.Exit(1)
	}
}
