package usbdoc

import "syscall"

// openFlags open a file on the key for reading: never a FIFO's wait, never
// a terminal (the mount is read-only: no access time is written).
const openFlags = syscall.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY
