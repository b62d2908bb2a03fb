package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// nodeLanguageHost implements the engine's LanguageRuntime service for Node.js.
type nodeLanguageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engineAddress string
	tracing       string
	otelEndpoint  string
	children      *processes

	// cancelled ends when the engine calls Cancel: running programs are then interrupted.
	cancelled context.Context
	cancel    context.CancelFunc
}

func newLanguageHost(engineAddress, tracing, otelEndpoint string) *nodeLanguageHost {
	ctx, cancel := context.WithCancel(context.Background())
	return &nodeLanguageHost{
		engineAddress: engineAddress,
		tracing:       tracing,
		otelEndpoint:  otelEndpoint,
		children:      newProcesses(),
		cancelled:     ctx,
		cancel:        cancel,
	}
}

// Handshake is how an engine that attaches to a running host tells it where the engine is; like
// upstream's host, this one then health-checks that engine too.
func (host *nodeLanguageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	watching := host.engineAddress != ""
	host.engineAddress = req.GetEngineAddress()
	if !watching && host.engineAddress != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		if err := rpcutil.Healthcheck(ctx, host.engineAddress, engineCheckInterval, func() {
			host.children.stopAll()
			stop()
		}); err != nil {
			stop()
			return nil, fmt.Errorf("could not start health check host RPC server: %w", err)
		}
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (host *nodeLanguageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: strings.TrimPrefix(version, "v")}, nil
}

// Cancel interrupts the programs this host runs (the engine calls it on the first Ctrl-C): each gets
// SIGINT and 5 s to exit before it is killed, as with upstream's host.
func (host *nodeLanguageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	host.cancel()
	return &emptypb.Empty{}, nil
}

// connectToEngine dials the engine, for the calls a host makes back to it (logging, debugging).
func (host *nodeLanguageHost) connectToEngine() (pulumirpc.EngineClient, *grpc.ClientConn, error) {
	if host.engineAddress == "" {
		return nil, nil, errors.New("when debugging or running explicitly, must call Handshake before Run")
	}
	conn, err := grpc.NewClient(host.engineAddress, append(rpcutil.TracingInterceptorDialOptions(),
		grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())...)
	if err != nil {
		return nil, nil, fmt.Errorf("language host could not make connection to engine: %w", err)
	}
	return pulumirpc.NewEngineClient(conn), conn, nil
}

// Code generation (`pulumi convert`, `pulumi package gen-sdk`, `pulumi package add`, `pulumi
// package pack`) needs upstream's codegen, which this host does not carry: it says so by name rather
// than fail obscurely.
func codegenUnsupported(what string) error {
	return status.Errorf(codes.Unimplemented,
		"%s is not supported by this Node.js language host (it runs programs, policy packs and plugins, and does not generate code)", what)
}

func (host *nodeLanguageHost) GenerateProject(context.Context, *pulumirpc.GenerateProjectRequest) (*pulumirpc.GenerateProjectResponse, error) {
	return nil, codegenUnsupported("generating a project (pulumi convert)")
}

func (host *nodeLanguageHost) GenerateProgram(context.Context, *pulumirpc.GenerateProgramRequest) (*pulumirpc.GenerateProgramResponse, error) {
	return nil, codegenUnsupported("generating a program (pulumi convert)")
}

func (host *nodeLanguageHost) GeneratePackage(context.Context, *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error) {
	return nil, codegenUnsupported("generating an SDK (pulumi package gen-sdk)")
}

func (host *nodeLanguageHost) Pack(context.Context, *pulumirpc.PackRequest) (*pulumirpc.PackResponse, error) {
	return nil, codegenUnsupported("packing an SDK (pulumi package pack)")
}

func (host *nodeLanguageHost) Link(context.Context, *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return nil, codegenUnsupported("linking a generated SDK (pulumi package add)")
}
