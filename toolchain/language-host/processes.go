package main

import (
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// processes are the Node processes this host started and that still run, so that the host can stop
// them when its engine is gone: upstream's host leaves them to notice on their own.
type processes struct {
	mu      sync.Mutex
	running map[*exec.Cmd]struct{}
}

func newProcesses() *processes {
	return &processes{running: map[*exec.Cmd]struct{}{}}
}

func (p *processes) start(cmd *exec.Cmd) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	p.running[cmd] = struct{}{}
	return nil
}

// wait waits for a process started by start, and forgets it.
func (p *processes) wait(cmd *exec.Cmd) error {
	err := cmd.Wait()
	p.mu.Lock()
	delete(p.running, cmd)
	p.mu.Unlock()
	return err
}

// stopAll asks every running process to stop (SIGTERM) and kills what is left after 3 s.
func (p *processes) stopAll() {
	p.mu.Lock()
	running := make([]*exec.Cmd, 0, len(p.running))
	for cmd := range p.running {
		running = append(running, cmd)
	}
	p.mu.Unlock()
	for _, cmd := range running {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		left := len(p.running)
		p.mu.Unlock()
		if left == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, cmd := range running {
		_ = cmd.Process.Kill()
	}
}

// forget drops a process that something else waited for.
func (p *processes) forget(cmd *exec.Cmd) {
	p.mu.Lock()
	delete(p.running, cmd)
	p.mu.Unlock()
}
