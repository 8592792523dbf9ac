#!/bin/bash
# Records `dmsetup status` lines of every target dm4j parses, in the states worth parsing, from a
# real kernel. Run it in a throwaway guest (it creates and removes loop and dm devices):
#
#   vm/run --rw "$PWD/dm-api/src/test/resources/status-fixtures" -- \
#       dm-api/src/test/resources/status-fixtures/capture.sh dm-api/src/test/resources/status-fixtures
#
# It writes <dir>/<kernel release>.status: comment lines (#) saying where the lines came from,
# then one line per target: a label, a tab, and the line exactly as `dmsetup status` printed it.
set -u -o pipefail

OUT_DIR=${1:?usage: capture.sh OUTPUT_DIR}
KREL=$(uname -r)
OUT="$OUT_DIR/$KREL.status"
WORK=$(mktemp -d /tmp/dm4j-fixtures.XXXXXX)
P=fx-
LOOPS=()

cleanup() {
    for d in $(dmsetup ls 2>/dev/null | awk -v p="$P" 'index($1, p) == 1 {print $1}'); do
        dmsetup remove --force "$d" >/dev/null 2>&1
    done
    # A second pass: stacked devices go once their users have gone.
    for d in $(dmsetup ls 2>/dev/null | awk -v p="$P" 'index($1, p) == 1 {print $1}'); do
        dmsetup remove --force "$d" >/dev/null 2>&1
    done
    for l in "${LOOPS[@]}"; do
        losetup -d "$l" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

die() { echo "capture.sh: $*" >&2; exit 1; }

# loop NAME MIB: a loop device over a sparse file; prints its major:minor into the variable NAME.
loop() {
    local f="$WORK/$1.img"
    truncate -s "$2M" "$f"
    local dev
    dev=$(losetup --find --show "$f") || die "losetup $f"
    LOOPS+=("$dev")
    printf -v "$1" '%s' "$(cat /sys/class/block/"${dev#/dev/}"/dev)"
    printf -v "$1_path" '%s' "$dev"
}

sectors() { blockdev --getsz "$1"; }

mk() { # mk NAME TABLE [dmsetup create options]
    local name=$1 table=$2
    shift 2
    dmsetup create "$P$name" "$@" --table "$table" || die "create $name: $table"
}

node() { echo "/dev/mapper/$P$1"; }

devno() { dmsetup info -c --noheadings -o major,minor "$P$1" | tr -d ' '; }

# rec LABEL NAME [dmsetup status options]: records every status line of device NAME.
rec() {
    local label=$1 name=$2
    shift 2
    local i=0
    while IFS= read -r line; do
        if [ "$i" -eq 0 ]; then printf '%s\t%s\n' "$label" "$line"; else printf '%s#%d\t%s\n' "$label" "$i" "$line"; fi
        i=$((i + 1))
    done < <(dmsetup status "$@" "$P$name") >>"$OUT"
}

write() { # write NODE MIB [OFFSET_MIB] [BYTE]: writes a pattern with O_DIRECT
    local byte=${4:-a}
    head -c "$(( $2 << 20 ))" /dev/zero | tr '\0' "$byte" |
        dd of="$1" bs=1M seek="${3:-0}" oflag=direct conv=fsync status=none
}

await_idle() { # await_idle NAME: waits (up to 30 s) until a raid set's sync action is idle
    for _ in $(seq 300); do
        sleep 0.1
        case $(dmsetup status "$P$1") in *" idle "*) return ;; esac
    done
}

readall() { dd if="$1" of=/dev/null bs=1M iflag=direct status=none; }

{
    echo "# dmsetup status lines from a real kernel, recorded by capture.sh; do not edit by hand."
    echo "# kernel: $KREL ($(uname -v))"
    echo "# device-mapper: $(dmsetup version | awk -F': *' '/Driver/ {print $2}')"
    echo "# targets: $(dmsetup targets | awk '{printf "%s %s; ", $1, $2}')"
    echo "# format: label<TAB>start length type status (the status exactly as printed)"
} >"$OUT"

# ---------------------------------------------------------------- thin-pool and thin
loop tmeta 8
loop tdata 64
mk tpool "0 $(( 64 << 11 )) thin-pool $tmeta $tdata 128 1024"
rec thin-pool.fresh tpool
dmsetup message "$P"tpool 0 "create_thin 0"
rec thin-pool.after-create_thin tpool
POOL=$(devno tpool)
mk thin "0 $(( 128 << 11 )) thin $POOL 0"
rec thin.fresh thin
write "$(node thin)" 3
write "$(node thin)" 1 40
rec thin.after-writes thin
rec thin-pool.after-writes tpool
rec thin-pool.noflush tpool --noflush
dmsetup message "$P"tpool 0 "set_transaction_id 0 7"
rec thin-pool.transaction-7 tpool
dmsetup message "$P"tpool 0 "reserve_metadata_snap"
rec thin-pool.held-root tpool
dmsetup message "$P"tpool 0 "release_metadata_snap"
dmsetup suspend "$P"thin
dmsetup message "$P"tpool 0 "create_snap 1 0"
dmsetup resume "$P"thin
mk tsnap "0 $(( 128 << 11 )) thin $POOL 1"
rec thin.snapshot-fresh tsnap
write "$(node tsnap)" 1 0 b
rec thin.snapshot-after-write tsnap
rec thin-pool.with-snapshot tpool
dmsetup remove "$P"tsnap
dmsetup message "$P"tpool 0 "delete 1"
# Table-only changes of the pool's features show in its status.
dmsetup suspend "$P"thin
dmsetup load "$P"tpool --table "0 $(( 64 << 11 )) thin-pool $tmeta $tdata 128 1024 1 no_discard_passdown"
dmsetup resume "$P"tpool
dmsetup resume "$P"thin
rec thin-pool.no_discard_passdown tpool
dmsetup suspend "$P"thin
dmsetup load "$P"tpool --table "0 $(( 64 << 11 )) thin-pool $tmeta $tdata 128 1024 1 read_only"
dmsetup resume "$P"tpool
dmsetup resume "$P"thin
rec thin-pool.read_only tpool
rec thin.pool-read-only thin
dmsetup remove "$P"thin
dmsetup remove "$P"tpool
# Discards cannot be switched off in a live pool: a new pool.
loop imeta 4
loop idata 16
mk ipool "0 $(( 16 << 11 )) thin-pool $imeta $idata 256 16 2 ignore_discard skip_block_zeroing"
rec thin-pool.ignore_discard ipool
dmsetup remove "$P"ipool

# A pool that runs out of data space: 16 MiB of data, a thin volume that writes 24.
loop smeta 4
loop sdata 16
mk spool "0 $(( 16 << 11 )) thin-pool $smeta $sdata 128 16 1 error_if_no_space"
dmsetup message "$P"spool 0 "create_thin 0"
mk sthin "0 $(( 64 << 11 )) thin $(devno spool) 0"
write "$(node sthin)" 24 2>/dev/null
rec thin-pool.out_of_data_space spool
rec thin.pool-out-of-data-space sthin
dmsetup remove "$P"sthin
dmsetup remove "$P"spool

# A pool whose metadata device fails: the pool drops to read-only (needs_check) or to Fail.
loop fmeta 8
loop fdata 32
mk fmetalin "0 $(( 8 << 11 )) linear $fmeta 0"
mk fpool "0 $(( 32 << 11 )) thin-pool $(devno fmetalin) $fdata 128 16"
dmsetup message "$P"fpool 0 "create_thin 0"
mk fthin "0 $(( 32 << 11 )) thin $(devno fpool) 0"
write "$(node fthin)" 1
dmsetup load "$P"fmetalin --table "0 $(( 8 << 11 )) error"
dmsetup suspend --noflush "$P"fmetalin
dmsetup resume "$P"fmetalin
write "$(node fthin)" 2 4 2>/dev/null
sync
rec thin-pool.metadata-failed fpool
rec thin.metadata-failed fthin
dmsetup message "$P"fpool 0 "create_thin 5" 2>/dev/null
rec thin-pool.metadata-failed-after-message fpool
dmsetup remove --force "$P"fthin
dmsetup remove --force "$P"fpool
dmsetup remove --force "$P"fmetalin

# ---------------------------------------------------------------- snapshot, snapshot-origin, snapshot-merge
loop origin 32
loop cow 8
mk sorigin "0 $(( 32 << 11 )) snapshot-origin $origin"
mk snap "0 $(( 32 << 11 )) snapshot $origin $cow P 16"
# The origin learns the snapshot's chunk size when it resumes; before that a write spanning
# chunks copies out only its first one.
dmsetup suspend "$P"sorigin
dmsetup resume "$P"sorigin
rec snapshot-origin.fresh sorigin
rec snapshot.fresh snap
write "$(node sorigin)" 2
rec snapshot.after-origin-writes snap
write "$(node snap)" 1 8 c
rec snapshot.after-snapshot-writes snap
write "$(node sorigin)" 16 4 2>/dev/null
rec snapshot.invalid snap
dmsetup remove "$P"snap
dmsetup remove "$P"sorigin

loop origin2 32
loop cow2 4
mk snapo "0 $(( 32 << 11 )) snapshot $origin2 $cow2 PO 16"
write "$(node snapo)" 8 0 d 2>/dev/null
rec snapshot.overflow snapo
dmsetup remove "$P"snapo

loop origin3 16
loop cow3 8
mk tsnapn "0 $(( 16 << 11 )) snapshot $origin3 $cow3 N 16"
write "$(node tsnapn)" 1
rec snapshot.transient-after-write tsnapn
dmsetup remove "$P"tsnapn

loop origin4 16
loop cow4 8
mk morigin "0 $(( 16 << 11 )) snapshot-origin $origin4"
mk msnap "0 $(( 16 << 11 )) snapshot $origin4 $cow4 P 16"
write "$(node msnap)" 2 0 e
rec snapshot.before-merge msnap
dmsetup suspend "$P"morigin
dmsetup remove "$P"msnap
dmsetup load "$P"morigin --table "0 $(( 16 << 11 )) snapshot-merge $origin4 $cow4 P 16"
dmsetup resume "$P"morigin
rec snapshot-merge.started morigin
for _ in $(seq 100); do
    s=$(dmsetup status "$P"morigin)
    set -- $s
    [ "${4%%/*}" = "$5" ] && break
    sleep 0.1
done
rec snapshot-merge.merged morigin
dmsetup remove "$P"morigin

# ---------------------------------------------------------------- cache
loop cmeta 8
loop cfast 16
loop cslow 64
zero_meta() { dd if=/dev/zero of="$cmeta_path" bs=1M count=1 oflag=direct status=none; }
mk cache "0 $(( 64 << 11 )) cache $cmeta $cfast $cslow 128 1 writeback smq 0"
rec cache.fresh cache
for _ in 1 2 3; do readall "$(node cache)"; done
write "$(node cache)" 4
rec cache.after-io cache
dmsetup message "$P"cache 0 "migration_threshold 4096"
rec cache.migration_threshold-4096 cache
dmsetup remove "$P"cache
zero_meta
mk cache2 "0 $(( 64 << 11 )) cache $cmeta $cfast $cslow 128 3 metadata2 writethrough no_discard_passdown smq 2 migration_threshold 1024"
rec cache.metadata2-writethrough-no_discard_passdown cache2
dmsetup remove "$P"cache2
zero_meta
mk cache3 "0 $(( 64 << 11 )) cache $cmeta $cfast $cslow 128 1 writeback cleaner 0"
readall "$(node cache3)"
rec cache.cleaner cache3
dmsetup remove "$P"cache3
zero_meta
mk cache4 "0 $(( 64 << 11 )) cache $cmeta $cfast $cslow 128 1 passthrough smq 0"
rec cache.passthrough cache4
dmsetup remove "$P"cache4

# ---------------------------------------------------------------- writecache
loop wslow 32
loop wfast 8
mk wc "0 $(( 32 << 11 )) writecache s $wslow $wfast 4096 0"
rec writecache.fresh wc
write "$(node wc)" 2
readall "$(node wc)"
rec writecache.after-io wc
dmsetup message "$P"wc 0 flush
rec writecache.after-flush wc
dmsetup message "$P"wc 0 clear_stats
rec writecache.after-clear_stats wc
dmsetup remove "$P"wc

# ---------------------------------------------------------------- era
loop emeta 8
loop eorigin 32
mk era "0 $(( 32 << 11 )) era $emeta $eorigin 128"
rec era.fresh era
write "$(node era)" 2
dmsetup message "$P"era 0 checkpoint
rec era.after-checkpoint era
dmsetup message "$P"era 0 take_metadata_snap
rec era.held-root era
dmsetup message "$P"era 0 drop_metadata_snap
rec era.dropped-root era
dmsetup remove "$P"era

# ---------------------------------------------------------------- raid
loop r0 32
loop r1 32
loop r2 32
mk raid1 "0 $(( 31 << 11 )) raid raid1 3 0 region_size 1024 2 - $r0 - $r1"
rec raid.raid1-fresh raid1
await_idle raid1
rec raid.raid1-idle raid1
dmsetup message "$P"raid1 0 check
await_idle raid1
rec raid.raid1-after-check raid1
dmsetup message "$P"raid1 0 frozen
rec raid.raid1-frozen raid1
dmsetup message "$P"raid1 0 idle
dmsetup remove "$P"raid1
# Legs that differ, assembled with nosync: a check counts the mismatches.
write "$r0_path" 1 0 x
write "$r1_path" 1 0 y
mk raid1n "0 $(( 31 << 11 )) raid raid1 4 0 region_size 1024 nosync 2 - $r0 - $r1"
rec raid.raid1-nosync raid1n
dmsetup message "$P"raid1n 0 check
await_idle raid1n
rec raid.raid1-check-mismatches raid1n
dmsetup message "$P"raid1n 0 repair
await_idle raid1n
rec raid.raid1-after-repair raid1n
dmsetup remove "$P"raid1n
# With metadata devices a new set resyncs first.
loop rm0 4
loop rm1 4
mk raid1m "0 $(( 31 << 11 )) raid raid1 3 0 region_size 1024 2 $rm0 $r0 $rm1 $r1"
rec raid.raid1-resync raid1m
dmsetup remove "$P"raid1m
# Big sparse legs, so that a check is still running when its status is read.
loop rb0 1024
loop rb1 1024
mk raid1b "0 $(( 1023 << 11 )) raid raid1 4 0 region_size 4096 nosync 2 - $rb0 - $rb1"
dmsetup message "$P"raid1b 0 check
rec raid.raid1-check-running raid1b
dmsetup message "$P"raid1b 0 idle
rec raid.raid1-check-stopped raid1b
dmsetup message "$P"raid1b 0 repair
rec raid.raid1-repair-running raid1b
dmsetup message "$P"raid1b 0 idle
dmsetup remove "$P"raid1b
mk raid5 "0 $(( 60 << 11 )) raid raid5_ls 1 128 3 - $r0 - $r1 - $r2"
rec raid.raid5_ls-fresh raid5
dmsetup remove "$P"raid5
mk raid0 "0 $(( 60 << 11 )) raid raid0 1 128 2 - $r0 - $r1"
rec raid.raid0 raid0
dmsetup remove "$P"raid0

# ---------------------------------------------------------------- mirror
loop m0 16
loop m1 16
loop mlog 4
mk mirror "0 $(( 16 << 11 )) mirror core 1 1024 2 $m0 0 $m1 0"
rec mirror.core-fresh mirror
for _ in $(seq 200); do
    s=$(dmsetup status "$P"mirror)
    set -- $s
    [ "${7%%/*}" = "${7##*/}" ] && break
    sleep 0.1
done
rec mirror.core-synced mirror
dmsetup remove "$P"mirror
mk mirrord "0 $(( 16 << 11 )) mirror disk 2 $mlog 1024 2 $m0 0 $m1 0 1 handle_errors"
rec mirror.disk-log mirrord
dmsetup remove "$P"mirrord

# ---------------------------------------------------------------- multipath
loop p0 8
loop p1 8
mk mpath "0 $(( 8 << 11 )) multipath 0 0 1 1 round-robin 0 2 1 $p0 1000 $p1 1000"
rec multipath.round-robin mpath
dmsetup message "$P"mpath 0 "fail_path $p1"
rec multipath.failed-path mpath
dmsetup message "$P"mpath 0 "reinstate_path $p1"
rec multipath.reinstated-path mpath
dmsetup message "$P"mpath 0 "queue_if_no_path"
rec multipath.queue_if_no_path mpath
dmsetup message "$P"mpath 0 "fail_if_no_path"
dmsetup remove "$P"mpath
mk mpath2 "0 $(( 8 << 11 )) multipath 2 queue_mode bio 0 2 2 queue-length 0 1 1 $p0 1 service-time 0 1 2 $p1 1 1"
readall "$(node mpath2)"
rec multipath.two-groups-bio mpath2
dmsetup message "$P"mpath2 0 "disable_group 2"
rec multipath.group-disabled mpath2
dmsetup message "$P"mpath2 0 "switch_group 2"
rec multipath.switched-group mpath2
dmsetup remove "$P"mpath2
# ---------------------------------------------------------------- integrity
loop idev 32
mk integ "0 8 integrity $idev 0 - J 1 internal_hash:crc32c"
PROVIDED=$(dmsetup status "$P"integ | awk '{print $5}')
dmsetup remove "$P"integ
mk integ "0 $PROVIDED integrity $idev 0 - J 1 internal_hash:crc32c"
rec integrity.fresh integ
write "$(node integ)" 1
readall "$(node integ)"
rec integrity.after-io integ
dmsetup remove "$P"integ
mk integr "0 $PROVIDED integrity $idev 0 - J 2 internal_hash:crc32c recalculate"
rec integrity.recalculate integr
dmsetup remove "$P"integr

# ---------------------------------------------------------------- verity
loop vdata 8
loop vhash 1
write "$vdata_path" 8 0 v
ROOT=$(veritysetup format "$vdata_path" "$vhash_path" | awk '/Root hash:/ {print $3}')
SALT=$(veritysetup dump "$vhash_path" | awk '/^Salt:/ {print $2}')
mk verity "0 $(( 8 << 11 )) verity 1 $vdata $vhash 4096 4096 2048 1 sha256 $ROOT $SALT" --readonly
readall "$(node verity)"
rec verity.valid verity
dmsetup remove "$P"verity
head -c 4096 /dev/zero | tr '\0' z | dd of="$vdata_path" bs=4096 seek=1 oflag=direct status=none
mk verity "0 $(( 8 << 11 )) verity 1 $vdata $vhash 4096 4096 2048 1 sha256 $ROOT $SALT" --readonly
readall "$(node verity)" 2>/dev/null
rec verity.corrupted verity
dmsetup remove "$P"verity

# ---------------------------------------------------------------- flakey, delay, and targets with no status
loop plain 16
mk flakey "0 $(( 16 << 11 )) flakey $plain 0 5 5"
rec flakey.fresh flakey
dmsetup remove "$P"flakey
mk delay "0 $(( 16 << 11 )) delay $plain 0 0"
rec delay.fresh delay
dmsetup remove "$P"delay
mk delayq "0 $(( 16 << 11 )) delay $plain 0 3000 $plain 0 3000"
dd if="$(node delayq)" of=/dev/null bs=4k count=1 iflag=direct status=none &
READER=$!
sleep 1
rec delay.read-queued delayq
wait "$READER"
dmsetup remove "$P"delayq
mk linear "0 $(( 8 << 11 )) linear $plain 0
$(( 8 << 11 )) $(( 8 << 11 )) linear $plain $(( 8 << 11 ))"
rec linear.two-targets linear
dmsetup remove "$P"linear
mk striped "0 $(( 16 << 11 )) striped 2 128 $plain 0 $idev 0"
rec striped.fresh striped
dmsetup remove "$P"striped
mk zero "0 2048 zero"
rec zero.fresh zero
dmsetup remove "$P"zero
mk err "0 2048 error"
rec error.fresh err
dmsetup remove "$P"err
mk crypt "0 $(( 16 << 11 )) crypt aes-xts-plain64 0000000000000000000000000000000000000000000000000000000000000000 0 $plain 0"
rec crypt.fresh crypt
dmsetup remove "$P"crypt
loop lwlog 16
mk logw "0 $(( 16 << 11 )) log-writes $plain $lwlog"
write "$(node logw)" 1
rec log-writes.after-write logw
dmsetup remove "$P"logw

# Last, as it may leave a writer stuck: a raid1 leg that fails. The writer runs in the background;
# the status is recorded after a while whatever it does.
for m in rm0 rm1; do dd if=/dev/zero of="$(eval echo \$${m}_path)" bs=1M count=4 oflag=direct status=none; done
mk rleg0 "0 $(( 32 << 11 )) linear $r0 0"
mk rleg1 "0 $(( 32 << 11 )) linear $r1 0"
mk raid1f "0 $(( 31 << 11 )) raid raid1 4 0 region_size 1024 nosync 2 $rm0 $(devno rleg0) $rm1 $(devno rleg1)"
dmsetup load "$P"rleg1 --table "0 $(( 32 << 11 )) error"
dmsetup suspend --noflush "$P"rleg1
dmsetup resume "$P"rleg1
write "$(node raid1f)" 1 2>/dev/null &
sleep 5
rec raid.raid1-failed-leg raid1f

echo "capture.sh: wrote $(grep -vc '^#' "$OUT") status lines to $OUT"
