package main

import (
	"context"
	"fmt"
	"net"
	"os/exec"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

// preferredDebugPort is node's own default inspector port, which editors try first.
const preferredDebugPort = 9229

// debugSetup is how a program started for `--attach-debugger` waits for a debugger.
type debugSetup struct {
	port     int
	nodeArgs []string
}

func newDebugSetup() (*debugSetup, error) {
	for port := preferredDebugPort; port < preferredDebugPort+100; port++ {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		_ = l.Close()
		return &debugSetup{port: port, nodeArgs: []string{
			fmt.Sprintf("--inspect-brk=%d", port),
			// Keeps node's "Debugger listening on ..." line out of the program's output.
			"--inspect-publish-uid=http",
		}}, nil
	}
	return nil, fmt.Errorf("failed to find an available port for the debugger from %d to %d",
		preferredDebugPort, preferredDebugPort+99)
}

// startDebugging tells the engine (and through it the user's editor) where to attach.
func (host *nodeLanguageHost) startDebugging(ctx context.Context, cmd *exec.Cmd, debug *debugSetup, name string) error {
	engine, conn, err := host.connectToEngine()
	if err != nil {
		return err
	}
	defer conn.Close()
	cfg := map[string]any{
		"name":             name,
		"type":             "node",
		"request":          "attach",
		"processId":        cmd.Process.Pid,
		"continueOnAttach": true,
		"skipFiles":        []any{"<node_internals>/**"},
	}
	message := fmt.Sprintf("on process id %d", cmd.Process.Pid)
	if debug.port != preferredDebugPort {
		cfg["port"] = debug.port
		message += fmt.Sprintf(" and port %d", debug.port)
	}
	debugConfig, err := structpb.NewStruct(cfg)
	if err != nil {
		return err
	}
	if _, err := engine.StartDebugging(ctx, &pulumirpc.StartDebuggingRequest{Config: debugConfig, Message: message}); err != nil {
		return fmt.Errorf("unable to start debugging: %w", err)
	}
	return nil
}
