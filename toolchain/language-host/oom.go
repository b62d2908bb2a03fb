package main

import (
	"bufio"
	"io"
	"strings"
	"sync"
)

// oomAdvice is upstream's advice when a program ran out of memory.
const oomAdvice = "Detected a possible out of memory error. Consider increasing the memory available to the nodejs process " +
	"by setting the `nodeargs` runtime option in Pulumi.yaml to `nodeargs: --max-old-space-size=<size>` where " +
	"`<size>` is the maximum memory in megabytes that can be allocated to nodejs. " +
	"See https://www.pulumi.com/docs/concepts/projects/project-file/#runtime-options"

// oomSniffer watches a program's standard error, passed on unchanged, for V8's out-of-memory report.
type oomSniffer struct {
	mu    sync.Mutex
	found bool
	done  chan struct{}
}

// sniffedStream is the writer a program's stderr goes to; Close ends the scan once the program ended.
type sniffedStream struct {
	*io.PipeWriter
	sniffer *oomSniffer
}

// Close closes the stream and waits until everything written has been scanned and passed on.
func (s sniffedStream) Close() {
	_ = s.PipeWriter.Close()
	<-s.sniffer.done
}

func newOOMSniffer(out io.Writer) (sniffedStream, *oomSniffer) {
	r, w := io.Pipe()
	sniffer := &oomSniffer{done: make(chan struct{})}
	go func() {
		defer close(sniffer.done)
		tee := io.TeeReader(r, out)
		scanner := bufio.NewScanner(tee)
		scanner.Buffer(make([]byte, 64*1024), 1024*1024)
		for scanner.Scan() {
			line := scanner.Text()
			if strings.Contains(line, "<--- Last few GCs --->") ||
				strings.Contains(line, "Check failed: needs_context && current_scope_ == closure_scope_") {
				sniffer.mu.Lock()
				sniffer.found = true
				sniffer.mu.Unlock()
			}
		}
		// After a line too long to scan, keep passing the rest on, so the program never blocks.
		_, _ = io.Copy(io.Discard, tee)
	}()
	return sniffedStream{PipeWriter: w, sniffer: sniffer}, sniffer
}

func (o *oomSniffer) detected() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.found
}
