package service

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/communes/kiosk/admin"

	"github.com/communes/kiosk/maintenance"
	"github.com/communes/kiosk/monitor"
)

// ErrRestart is returned by Run when the service stopped to restart after
// an update of its binaries (inside the maintenance window, with nobody
// at the terminal). Its service manager starts it again (kiosk.service
// has Restart=always) and the shell follows.
var ErrRestart = errors.New("restarting after an update of the kiosk binaries")

// newMaintainer builds the maintenance loop of c: it drains the session
// controller, then asks Run to stop with ErrRestart, or reboots.
func (s *Service) newMaintainer(c *Config) error {
	bins := c.WatchBinaries
	if bins == nil {
		if exe, err := os.Executable(); err == nil {
			bins = []string{exe}
			// The browser is installed next to the service's binary.
			if br := filepath.Join(filepath.Dir(exe), "kiosk-browser"); fileExists(br) {
				bins = append(bins, br)
			}
		}
	}
	reboot := c.Reboot
	if reboot == nil {
		reboot = maintenance.LogindReboot
	}
	s.restart = make(chan struct{}, 1)
	m, err := maintenance.New(&maintenance.Config{
		Logger:         s.log,
		Window:         c.MaintenanceWindow,
		Terminal:       s.ctl,
		RebootRequired: c.RebootRequired,
		Binaries:       bins,
		Restart: func(context.Context) error {
			select {
			case s.restart <- struct{}{}:
			default:
			}
			return nil
		},
		Reboot:   reboot,
		Interval: c.MaintenanceEvery,
	})
	if err != nil {
		return err
	}
	s.maint = m
	return nil
}

// Maintenance returns the maintenance loop's status (pending restart or
// reboot, since when, overdue).
func (s *Service) Maintenance() maintenance.Status { return s.maint.Status() }

// maintenanceMetrics adapts the status for package monitor.
func maintenanceMetrics(m *maintenance.Maintainer) func() monitor.MaintenanceStatus {
	return func() monitor.MaintenanceStatus {
		st := m.Status()
		return monitor.MaintenanceStatus{Need: string(st.Need), PendingSince: st.PendingSince, Overdue: st.Overdue}
	}
}

// waitRestart returns ErrRestart when the maintenance loop asks for a
// restart, nil when ctx ends first.
func (s *Service) waitRestart(ctx context.Context) error {
	select {
	case <-s.restart:
		s.log.Info("kiosk service restarting for an update")
		return ErrRestart
	case <-ctx.Done():
		return nil
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// systemEvery is how often the update facts (ReadSystem: dpkg-query, a
// simulated apt-get upgrade, unattended-upgrades' log) are read again.
const systemEvery = 10 * time.Minute

// systemFirst is when the update facts are first read after the start
// (not at once: a service that starts is busy enough, and short-lived
// test services never pay for apt-get).
const systemFirst = 30 * time.Second

// refreshSystem reads the update facts systemFirst after the start, then
// every systemEvery, until ctx ends.
func (s *Service) refreshSystem(ctx context.Context) error {
	wait := systemFirst
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		st := maintenance.ReadSystem(ctx, s.conf.UnattendedLog)
		s.system.Store(&st)
		wait = systemEvery
	}
}

// withSystem adds the "État du système" block to the admin page's status.
func (s *Service) withSystem(status func() admin.Status) func() admin.Status {
	return func() admin.Status {
		st := status()
		m := s.maint.Status()
		sys := &admin.SystemStatus{
			KioskVersion: s.conf.Version, Waiting: -1, Window: m.Window,
			PendingSince: m.PendingSince, Overdue: m.Overdue, LastError: m.LastError,
		}
		if m.Need != maintenance.NeedNone {
			sys.Pending = string(m.Need)
		}
		if f := s.system.Load(); f != nil {
			sys.WebKitVersion, sys.LastRun, sys.LastResult, sys.LastPackages, sys.Waiting = f.WebKitVersion, f.LastRun, f.LastResult, f.LastPackages, f.Waiting
		}
		s.browser.status(sys)
		st.System = sys
		return st
	}
}
