package usage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
)

// bbolt file format (go.etcd.io/bbolt/internal/common: page.go, meta.go, types.go),
// in the machine's byte order. rawCheck reads it with bounds checks before bbolt maps
// the file: bbolt trusts the page ids and offsets it finds, so a damaged file can make
// it read, and build Go pointers to, arbitrary memory, which no recover can undo.
const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	pageHeaderSize   = 16 // id uint64, flags uint16, count uint16, overflow uint32
	elementSize      = 16 // branch: pos, ksize uint32, pgid uint64; leaf: flags, pos, ksize, vsize uint32
	metaSumSize      = 56 // meta bytes covered by the checksum
	bucketHeaderSize = 16 // root pgid uint64, sequence uint64
	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	metaPageFlag     = 0x04
	freelistPageFlag = 0x10
	bucketLeafFlag   = 0x01
	noFreelist       = ^uint64(0)
	maxTreeDepth     = 64
)

var ne = binary.NativeEndian

// meta is the part of a bbolt meta page that rawCheck uses.
type meta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64 // high-water mark: pages in use
	txid     uint64
}

// rawChecker walks a file image page by page.
type rawChecker struct {
	data     []byte
	pageSize uint64
	hwm      uint64
	used     []bool // pages accounted for
}

// rawCheck verifies the structure of the bbolt file image data the way bbolt's Tx.Check
// does (every page below the high-water mark is a meta page, part of the free page list
// or referenced exactly once from the tree; keys are in order; every offset is inside
// its page), without trusting any of it.
func rawCheck(data []byte) error {
	m, err := currentMeta(data)
	if err != nil {
		return err
	}
	c := &rawChecker{data: data, pageSize: uint64(m.pageSize), hwm: m.pgid}
	if c.hwm < 4 || c.hwm > uint64(len(data))/c.pageSize {
		return fmt.Errorf("truncated: %d pages in use, %d bytes", c.hwm, len(data))
	}
	c.used = make([]bool, c.hwm)
	c.used[0], c.used[1] = true, true
	if err = c.freelist(m.freelist); err != nil {
		return err
	}
	if err = c.tree(m.root, 0); err != nil {
		return err
	}
	for id, ok := range c.used {
		if !ok {
			return fmt.Errorf("page %d is neither used nor free", id)
		}
	}

	return nil
}

// currentMeta returns the meta page bbolt would use: the valid one with the highest
// transaction id.
func currentMeta(data []byte) (meta, error) {
	m0, err0 := readMeta(data, 0)
	ps := uint64(m0.pageSize)
	if err0 != nil {
		// Look for the second meta page like bbolt does.
		for ps = 1024; ps <= 1<<16; ps <<= 1 {
			if m, err := readMeta(data, ps); err == nil && uint64(m.pageSize) == ps {
				break
			}
		}
	}
	m1, err1 := readMeta(data, ps)
	switch {
	case err0 != nil && err1 != nil:
		return meta{}, fmt.Errorf("no valid meta page: %w", err0)
	case err1 != nil || err0 == nil && m0.txid >= m1.txid:
		return m0, nil
	default:
		return m1, nil
	}
}

// readMeta reads and validates the meta page at offset off.
func readMeta(data []byte, off uint64) (meta, error) {
	if off+pageHeaderSize+metaSumSize+8 > uint64(len(data)) {
		return meta{}, errors.New("file too short")
	}
	p := data[off:]
	b := p[pageHeaderSize : pageHeaderSize+metaSumSize+8]
	h := fnv.New64a()
	_, _ = h.Write(b[:metaSumSize])
	m := meta{
		pageSize: ne.Uint32(b[8:]),
		root:     ne.Uint64(b[16:]),
		freelist: ne.Uint64(b[32:]),
		pgid:     ne.Uint64(b[40:]),
		txid:     ne.Uint64(b[48:]),
	}
	switch {
	case ne.Uint32(b[0:]) != boltMagic:
		return m, errors.New("not a bbolt file")
	case ne.Uint32(b[4:]) != boltVersion:
		return m, errors.New("unknown bbolt version")
	case h.Sum64() != ne.Uint64(b[metaSumSize:]):
		return m, errors.New("bad meta checksum")
	case ne.Uint16(p[8:]) != metaPageFlag:
		return m, errors.New("bad meta page flags")
	case m.pageSize < 1024 || m.pageSize > 1<<16 || m.pageSize&(m.pageSize-1) != 0:
		return m, fmt.Errorf("bad page size %d", m.pageSize)
	}

	return m, nil
}

// page claims page id and its overflow pages and returns their bytes, after checking
// that the page says it is id.
func (c *rawChecker) page(id uint64) (p []byte, flags, count uint16, err error) {
	if id < 2 || id >= c.hwm {
		return nil, 0, 0, fmt.Errorf("page %d out of range", id)
	}
	off := id * c.pageSize
	h := c.data[off : off+pageHeaderSize]
	if ne.Uint64(h) != id {
		return nil, 0, 0, fmt.Errorf("page %d says it is page %d", id, ne.Uint64(h))
	}
	overflow := uint64(ne.Uint32(h[12:]))
	if overflow >= c.hwm-id {
		return nil, 0, 0, fmt.Errorf("page %d overflows past the end", id)
	}
	for i := id; i <= id+overflow; i++ {
		if c.used[i] {
			return nil, 0, 0, fmt.Errorf("page %d used twice", i)
		}
		c.used[i] = true
	}

	return c.data[off : off+(overflow+1)*c.pageSize], ne.Uint16(h[8:]), ne.Uint16(h[10:]), nil
}

// freelist claims the free page list and the pages it lists.
func (c *rawChecker) freelist(id uint64) error {
	if id == noFreelist {
		return errors.New("no free page list")
	}
	p, flags, count, err := c.page(id)
	if err != nil {
		return fmt.Errorf("free page list: %w", err)
	}
	if flags != freelistPageFlag {
		return fmt.Errorf("free page list: page %d has flags %#x", id, flags)
	}
	n, start := uint64(count), uint64(pageHeaderSize)
	if count == 0xFFFF {
		n, start = ne.Uint64(p[pageHeaderSize:]), pageHeaderSize+8
	}
	if n > (uint64(len(p))-start)/8 {
		return fmt.Errorf("free page list: %d ids don't fit", n)
	}
	for i := range n {
		free := ne.Uint64(p[start+8*i:])
		if free < 2 || free >= c.hwm || c.used[free] {
			return fmt.Errorf("free page list: bad or repeated page %d", free)
		}
		c.used[free] = true
	}

	return nil
}

// tree claims the pages of the bucket whose root page is id.
func (c *rawChecker) tree(id uint64, depth int) error {
	if depth > maxTreeDepth {
		return errors.New("tree too deep")
	}
	p, flags, count, err := c.page(id)
	if err != nil {
		return err
	}
	switch flags {
	case leafPageFlag:
		return c.leaf(p, count, depth)
	case branchPageFlag:
		var prev []byte
		for i := range uint64(count) {
			e := pageHeaderSize + i*elementSize
			if e+elementSize > uint64(len(p)) {
				return fmt.Errorf("page %d: element %d out of the page", id, i)
			}
			key, err := slice(p, e+uint64(ne.Uint32(p[e:])), uint64(ne.Uint32(p[e+4:])))
			if err != nil {
				return fmt.Errorf("page %d: %w", id, err)
			}
			if i > 0 && bytes.Compare(prev, key) >= 0 {
				return fmt.Errorf("page %d: keys out of order", id)
			}
			prev = key
			if err = c.tree(ne.Uint64(p[e+8:]), depth+1); err != nil {
				return err
			}
		}

		return nil
	default:
		return fmt.Errorf("page %d: unexpected flags %#x", id, flags)
	}
}

// leaf checks the count elements of the leaf page p and claims the pages of the
// buckets it holds.
func (c *rawChecker) leaf(p []byte, count uint16, depth int) error {
	var prev []byte
	for i := range uint64(count) {
		e := pageHeaderSize + i*elementSize
		if e+elementSize > uint64(len(p)) {
			return fmt.Errorf("leaf element %d out of the page", i)
		}
		flags, pos := ne.Uint32(p[e:]), uint64(ne.Uint32(p[e+4:]))
		ksize, vsize := uint64(ne.Uint32(p[e+8:])), uint64(ne.Uint32(p[e+12:]))
		kv, err := slice(p, e+pos, ksize+vsize)
		if err != nil {
			return err
		}
		key, value := kv[:ksize], kv[ksize:]
		if i > 0 && bytes.Compare(prev, key) >= 0 {
			return errors.New("keys out of order")
		}
		prev = key
		if flags&bucketLeafFlag == 0 {
			continue
		}
		if len(value) < bucketHeaderSize {
			return fmt.Errorf("bucket %q: short header", key)
		}
		if root := ne.Uint64(value); root != 0 {
			err = c.tree(root, depth+1)
		} else {
			err = c.inline(value[bucketHeaderSize:], depth+1)
		}
		if err != nil {
			return fmt.Errorf("bucket %q: %w", key, err)
		}
	}

	return nil
}

// inline checks an inline bucket's page p.
func (c *rawChecker) inline(p []byte, depth int) error {
	if depth > maxTreeDepth {
		return errors.New("tree too deep")
	}
	if len(p) < pageHeaderSize || ne.Uint16(p[8:]) != leafPageFlag {
		return errors.New("bad inline page")
	}

	return c.leaf(p, ne.Uint16(p[10:]), depth)
}

// slice returns p[off:off+n] or an error when it isn't inside p.
func slice(p []byte, off, n uint64) ([]byte, error) {
	if off > uint64(len(p)) || n > uint64(len(p))-off {
		return nil, fmt.Errorf("%d bytes at %d outside a %d-byte page", n, off, len(p))
	}

	return p[off : off+n], nil
}
