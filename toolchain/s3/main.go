// syncwave-s3: an S3-compatible server for SyncWave's shared Pulumi state, versitygw's S3 API over
// its POSIX backend only. The upstream binary (cmd/versitygw) links the Azure, S3 proxy and ScoutFS
// backends, the web UI and the admin server; a state backend needs none of them, so this main builds
// the posix backend and the S3 API server (s3api.New) directly.
//
//	syncwave-s3 -addr 127.0.0.1:9310 -root DIR -access KEY -secret KEY -bucket syncwave-state
//
// The root credentials may come from SYNCWAVE_S3_ACCESS_KEY and SYNCWAVE_S3_SECRET_KEY instead, so
// they never show in the process list. Buckets named by -bucket (repeatable, or a comma list) are
// created at start through the backend when missing, owned by the root user. It prints
// "listening on ADDR" (the bound address, so -addr 127.0.0.1:0 picks a free port) once it accepts
// connections, and stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/versity/versitygw/auth"
	"github.com/versity/versitygw/backend/meta"
	"github.com/versity/versitygw/backend/posix"
	"github.com/versity/versitygw/s3api"
	"github.com/versity/versitygw/s3api/middlewares"
	"github.com/versity/versitygw/s3api/utils"
	"github.com/versity/versitygw/s3err"
)

type bucketList []string

func (b *bucketList) String() string { return strings.Join(*b, ",") }
func (b *bucketList) Set(v string) error {
	for _, name := range strings.Split(v, ",") {
		if name = strings.TrimSpace(name); name != "" {
			*b = append(*b, name)
		}
	}
	return nil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "syncwave-s3: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9310", "address to listen on (port 0: a free port)")
	root := flag.String("root", "", "directory holding the buckets, one subdirectory each (required)")
	access := flag.String("access", os.Getenv("SYNCWAVE_S3_ACCESS_KEY"), "root access key (default $SYNCWAVE_S3_ACCESS_KEY)")
	secret := flag.String("secret", os.Getenv("SYNCWAVE_S3_SECRET_KEY"), "root secret key (default $SYNCWAVE_S3_SECRET_KEY)")
	region := flag.String("region", "us-east-1", "the region requests are signed for")
	sidecar := flag.String("sidecar", "", "keep object metadata in this directory instead of extended attributes (default: extended attributes when the file system has them, else ROOT.meta)")
	var buckets bucketList
	flag.Var(&buckets, "bucket", "bucket to create at start when missing (repeatable, or a comma list)")
	flag.Parse()
	if *root == "" || *access == "" || *secret == "" {
		fmt.Fprintln(os.Stderr, "syncwave-s3: -root DIR, -access KEY and -secret KEY are required")
		os.Exit(2)
	}
	rootDir, err := filepath.Abs(*root)
	if err != nil {
		fail("%v", err)
	}
	if err := os.MkdirAll(rootDir, 0o755); err != nil {
		fail("%v", err)
	}

	// Bucket and object metadata (owner ACL, ETag, content type) lives in user extended attributes;
	// a file system without them (tmpfs on older kernels, some overlays) gets a sidecar directory
	// beside the root, never inside it, where it would show as a bucket.
	var ms meta.MetadataStorer = meta.XattrMeta{}
	opts := posix.PosixOpts{
		Concurrency:         5000,
		CopyObjectThreshold: 5 * 1024 * 1024 * 1024,
		ValidateBucketNames: true,
	}
	if *sidecar == "" && (meta.XattrMeta{}).Test(rootDir) != nil {
		*sidecar = rootDir + ".meta"
	}
	if *sidecar != "" {
		if err := os.MkdirAll(*sidecar, 0o755); err != nil {
			fail("%v", err)
		}
		sc, err := meta.NewSideCar(*sidecar)
		if err != nil {
			fail("sidecar metadata: %v", err)
		}
		ms, opts.SideCarDir = sc, *sidecar
	}
	opts.SetNewDirPerm(fs.FileMode(0o755))
	opts.SetNewFilePerm(fs.FileMode(0o644))
	utils.SetBucketNameValidationStrict(true)

	be, err := posix.New(rootDir, ms, opts)
	if err != nil {
		fail("posix backend: %v", err)
	}
	defer be.Shutdown()

	rootAccount := auth.Account{Access: *access, Secret: *secret, Role: auth.RoleAdmin}
	for _, bucket := range buckets {
		// The backend checks only that the name is a directory name; the S3 API would then refuse
		// every request for a bucket it created under a name S3 does not allow.
		if !utils.IsValidBucketName(bucket) {
			fail("-bucket %q is not a valid S3 bucket name", bucket)
		}
		if err := createBucket(be, rootAccount, bucket); err != nil {
			fail("create bucket %s: %v", bucket, err)
		}
	}

	// No IAM directory, LDAP or Vault: the root user is the only account.
	iam, err := auth.New(&auth.Opts{RootAccount: rootAccount})
	if err != nil {
		fail("iam: %v", err)
	}
	defer iam.Shutdown()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		fail("-addr %s: %v", *addr, err)
	}
	// The S3 server binds its listeners itself and never reports the port: port 0 is resolved to a
	// free port first, and a lost race for it (another process binding it in between) is retried.
	for attempt := 0; ; attempt++ {
		bind := *addr
		if port == "0" {
			free, err := freePort(host)
			if err != nil {
				fail("find a free port on %s: %v", host, err)
			}
			bind = net.JoinHostPort(host, strconv.Itoa(free))
		}
		listening := make(chan struct{})
		srv, err := s3api.New(be, middlewares.RootUserConfig{Access: *access, Secret: *secret}, *region, iam,
			nil, nil, nil, nil,
			s3api.WithConcurrencyLimiter(250000, 100000),
			s3api.WithMpMaxParts(10000),
			// The admin API answers on the S3 port (no separate admin listener).
			s3api.WithAdminServer(),
			// Only errors: callers read the "listening on" line from stdout.
			s3api.WithQuiet(),
			s3api.WithKeepAlive(),
			s3api.WithOnListen(func() { close(listening) }),
		)
		if err != nil {
			fail("s3 server: %v", err)
		}
		served := make(chan error, 1)
		go func() { served <- srv.ServeMultiPort([]string{bind}) }()
		select {
		case <-listening:
			fmt.Printf("listening on %s\n", bind)
			select {
			case <-ctx.Done():
				if err := srv.ShutDown(); err != nil {
					fmt.Fprintf(os.Stderr, "syncwave-s3: shutdown: %v\n", err)
				}
				return
			case err := <-served:
				fail("%v", err)
			}
		case err := <-served:
			if port == "0" && attempt < 5 && errors.Is(err, syscall.EADDRINUSE) {
				continue
			}
			fail("%v", err)
		case <-ctx.Done():
			return
		}
	}
}

// createBucket creates a bucket as the S3 API would for the root user (owner ACL, bucket owner
// enforced), or leaves it as it is when the root user owns it already.
func createBucket(be *posix.Posix, owner auth.Account, bucket string) error {
	acl, err := json.Marshal(auth.ACL{Owner: owner.Access})
	if err != nil {
		return err
	}
	// The backend reads the owner from the context, as the S3 API's own CreateBucket passes it.
	ctx := context.WithValue(context.Background(), "bucket-owner", owner)
	noLock := false
	err = be.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                     &bucket,
		ObjectOwnership:            types.ObjectOwnershipBucketOwnerEnforced,
		ObjectLockEnabledForBucket: &noLock,
		CreateBucketConfiguration:  &types.CreateBucketConfiguration{},
	}, acl)
	var s3Err s3err.S3Error
	if errors.As(err, &s3Err) && s3Err.BaseError().Code == s3err.GetAPIError(s3err.ErrBucketAlreadyOwnedByYou).Code {
		return nil
	}
	return err
}

func freePort(host string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
