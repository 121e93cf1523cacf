package usbkey

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/godbus/dbus/v5"
)

// udisks2's D-Bus names (udisks(8), org.freedesktop.UDisks2.xml).
const (
	udisksName     = "org.freedesktop.UDisks2"
	udisksRoot     = dbus.ObjectPath("/org/freedesktop/UDisks2")
	ifaceManager   = "org.freedesktop.DBus.ObjectManager"
	ifaceProps     = "org.freedesktop.DBus.Properties"
	ifaceFS        = "org.freedesktop.UDisks2.Filesystem"
	ifaceBlock     = "org.freedesktop.UDisks2.Block"
	ifaceDrive     = "org.freedesktop.UDisks2.Drive"
	signalAdded    = ifaceManager + ".InterfacesAdded"
	signalRemoved  = ifaceManager + ".InterfacesRemoved"
	noInteraction  = "auth.no_user_interaction"
	managedObjects = ifaceManager + ".GetManagedObjects"
)

// FSTypes are the file systems a key may hold, as udisks2's IdType names
// them (the polkit rule allows the same).
var FSTypes = []string{"vfat", "exfat", "ntfs", "ext4"}

// UDisks is udisks2 on the system bus (DBUS_SYSTEM_BUS_ADDRESS, else the
// standard socket). It's safe for concurrent use.
type UDisks struct {
	conn *dbus.Conn
}

// type check
var _ Edge = (*UDisks)(nil)

// DialUDisks connects to the system bus. Close releases it.
func DialUDisks() (*UDisks, error) {
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		return nil, fmt.Errorf("connecting to the system bus: %w", err)
	}
	return &UDisks{conn: conn}, nil
}

// Close closes the bus connection.
func (u *UDisks) Close() error { return u.conn.Close() }

// objects is GetManagedObjects' answer: object, interface, property.
type objects = map[dbus.ObjectPath]map[string]map[string]dbus.Variant

// Watch implements Edge with udisks2's ObjectManager: InterfacesAdded and
// InterfacesRemoved of org.freedesktop.UDisks2.Filesystem on the block
// devices of removable drives.
func (u *UDisks) Watch(ctx context.Context, added, removed func(Device)) error {
	// Subscribe before listing, so nothing plugged in between is missed.
	ch := make(chan *dbus.Signal, 32)
	u.conn.Signal(ch)
	defer u.conn.RemoveSignal(ch)
	match := []dbus.MatchOption{dbus.WithMatchSender(udisksName), dbus.WithMatchObjectPath(udisksRoot), dbus.WithMatchInterface(ifaceManager)}
	if err := u.conn.AddMatchSignalContext(ctx, match...); err != nil {
		return fmt.Errorf("subscribing to udisks2: %w", anonymous(err))
	}
	defer func() { _ = u.conn.RemoveMatchSignal(match...) }()
	var objs objects
	if err := u.conn.Object(udisksName, udisksRoot).CallWithContext(ctx, managedObjects, 0).Store(&objs); err != nil {
		return fmt.Errorf("listing udisks2's objects: %w", anonymous(err))
	}
	for path, ifaces := range objs {
		if d, ok := u.removable(ctx, path, ifaces); ok {
			d.AtStart = true
			added(d)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case sig, ok := <-ch:
			if !ok {
				return errors.New("the system bus connection closed")
			}
			if sig.Path != udisksRoot {
				continue
			}
			u.signal(ctx, sig, added, removed)
		}
	}
}

// signal follows one ObjectManager signal.
func (u *UDisks) signal(ctx context.Context, sig *dbus.Signal, added, removed func(Device)) {
	switch sig.Name {
	case signalAdded:
		var path dbus.ObjectPath
		var ifaces map[string]map[string]dbus.Variant
		if dbus.Store(sig.Body, &path, &ifaces) != nil {
			return
		}
		if d, ok := u.removable(ctx, path, ifaces); ok {
			added(d)
		}
	case signalRemoved:
		var path dbus.ObjectPath
		var ifaces []string
		if dbus.Store(sig.Body, &path, &ifaces) != nil {
			return
		}
		if slices.Contains(ifaces, ifaceFS) {
			removed(Device{Object: string(path)})
		}
	}
}

// removable says whether the object is a file system of a type a key may
// hold, on a removable drive udisks2 does not hide.
func (u *UDisks) removable(ctx context.Context, path dbus.ObjectPath, ifaces map[string]map[string]dbus.Variant) (Device, bool) {
	block, fs := ifaces[ifaceBlock], ifaces[ifaceFS]
	if block == nil || fs == nil {
		return Device{}, false
	}
	var idType string
	var drive dbus.ObjectPath
	var ignore, system bool
	_ = variant(block, "IdType", &idType)
	_ = variant(block, "Drive", &drive)
	_ = variant(block, "HintIgnore", &ignore)
	_ = variant(block, "HintSystem", &system)
	if !slices.Contains(FSTypes, idType) || ignore || system || drive == "" || drive == "/" {
		return Device{}, false
	}
	var props map[string]dbus.Variant
	if err := u.conn.Object(udisksName, drive).CallWithContext(ctx, ifaceProps+".GetAll", 0, ifaceDrive).Store(&props); err != nil {
		return Device{}, false
	}
	var rem, mediaRem, canOff bool
	_ = variant(props, "Removable", &rem)
	_ = variant(props, "MediaRemovable", &mediaRem)
	_ = variant(props, "CanPowerOff", &canOff)
	if !rem && !mediaRem {
		return Device{}, false
	}
	return Device{Object: string(path), Drive: string(drive), CanPowerOff: canOff}, true
}

// variant stores the property name of props in v.
func variant(props map[string]dbus.Variant, name string, v any) error {
	p, ok := props[name]
	if !ok {
		return errors.New("no such property")
	}
	return p.Store(v)
}

// Mount implements Edge with Filesystem.Mount, read-only, nosuid, nodev,
// noexec, without asking anyone (the polkit rule decides).
func (u *UDisks) Mount(ctx context.Context, d Device) (string, error) {
	var dir string
	opts := map[string]dbus.Variant{"options": dbus.MakeVariant(MountOptions), noInteraction: dbus.MakeVariant(true)}
	if err := u.conn.Object(udisksName, dbus.ObjectPath(d.Object)).CallWithContext(ctx, ifaceFS+".Mount", 0, opts).Store(&dir); err != nil {
		return "", fmt.Errorf("udisks2 Mount: %w", anonymous(err))
	}
	return dir, nil
}

// Unmount implements Edge with Filesystem.Unmount.
func (u *UDisks) Unmount(ctx context.Context, d Device) error {
	opts := map[string]dbus.Variant{noInteraction: dbus.MakeVariant(true)}
	if err := u.conn.Object(udisksName, dbus.ObjectPath(d.Object)).CallWithContext(ctx, ifaceFS+".Unmount", 0, opts).Err; err != nil {
		return fmt.Errorf("udisks2 Unmount: %w", anonymous(err))
	}
	return nil
}

// PowerOff implements Edge with Drive.PowerOff.
func (u *UDisks) PowerOff(ctx context.Context, d Device) error {
	if d.Drive == "" {
		return errors.New("no drive")
	}
	opts := map[string]dbus.Variant{noInteraction: dbus.MakeVariant(true)}
	if err := u.conn.Object(udisksName, dbus.ObjectPath(d.Drive)).CallWithContext(ctx, ifaceDrive+".PowerOff", 0, opts).Err; err != nil {
		return fmt.Errorf("udisks2 PowerOff: %w", anonymous(err))
	}
	return nil
}

// errUDisks is what is left of a D-Bus error: its name, never its message,
// which udisks2 writes with the device, the label or the mount point
// ("Error mounting /dev/sdb1 at /media/kiosk/LABEL: ...").
type errUDisks struct{ name string }

func (e *errUDisks) Error() string { return e.name }

// anonymous drops a D-Bus error's message.
func anonymous(err error) error {
	var de dbus.Error
	if errors.As(err, &de) {
		return &errUDisks{name: de.Name}
	}
	var dp *dbus.Error
	if errors.As(err, &dp) {
		return &errUDisks{name: dp.Name}
	}
	return err
}
