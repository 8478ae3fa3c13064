//! A look at an .xls before calamine reads it. calamine 0.35 trusts what the file declares,
//! and a file of a few KB can make it ask for gigabytes; a failed allocation aborts the whole
//! process, which no `catch_unwind` turns into a refusal (found by `make fuzz`):
//!
//! - the OLE container: its FAT or DIFAT count (calamine reserves 16 GB up front), or a
//!   sector chain that loops back on itself (calamine grows a buffer until memory runs out,
//!   or spins forever on an empty sector);
//! - the workbook's records: a sheet's Dimensions (calamine reserves rows × columns cells),
//!   or cells far apart (every sheet is laid out as a dense range when the file is opened:
//!   a cell at A1 and one at row 65,536, column 65,536 make 137 GB).
//!
//! The walk is calamine's own (`cfb.rs`: the header, the DIFAT, the FAT, the directory, the
//! mini stream and mini FAT, the workbook stream; then `xls.rs`: the records of the workbook
//! and of each sheet), step by step over the same bytes, with a bound where calamine has
//! none. It refuses what no valid file has (more FAT sectors than the file holds, a chain
//! that comes back to a sector it passed) and sheets spread wider than [`MAX_XLS_CELLS`].
//! Where calamine stops by itself (an error, or a panic its guard turns into a refusal), so
//! does the walk, and calamine reports the file.

use super::{FileRefusal, SheetResult, SpreadsheetError};

/// Cells the sheets of an .xls may spread over, all together (rows × columns of each sheet's
/// range of values, and of its range of formulas): 65,536 rows (all an .xls has) of 64
/// columns. calamine holds every sheet as a dense range, twice while it is read (~60 bytes a
/// cell), so this is ~500 MB at most.
const MAX_XLS_CELLS: u64 = 65_536 * 64;

/// Sector ids at and above this are markers (DIFSECT, FATSECT, ENDOFCHAIN, FREESECT).
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
/// What calamine may reserve for the DIFAT from the header word it reads as the DIFAT's
/// length (bytes 62–65: the high half of the mini FAT's start and the low half of its
/// length). A valid file makes that about 64 K entries per mini FAT sector, and has few.
const MAX_DIFAT_RESERVE: usize = 64 << 20;

/// The streams calamine's .xls reader opens, in its order.
const WORKBOOK_STREAMS: [&str; 4] = ["Workbook", "Book", "WORKBOOK", "BOOK"];

const TOO_MANY: &str = "it declares more sectors than the file holds";
const LOOPS: &str = "a chain of its sectors loops back on itself";

/// Where the walk stands: calamine goes on, or stops by itself (`Ok(None)` from a step), or
/// the file is refused (`Err`).
type Step<T> = Result<Option<T>, &'static str>;

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// The file read front to back, as calamine's reader is (one position for every stream).
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.bytes.len() - self.pos);
        buf[..n].copy_from_slice(&self.bytes[self.pos..self.pos + n]);
        self.pos += n;
        n
    }
}

/// calamine's `Sectors`: the sectors read so far, extended from the reader on demand (and
/// padded with zeros past the end of the file).
struct Sectors {
    data: Vec<u8>,
    size: usize,
    maxid: u32,
}

impl Sectors {
    /// `None` where calamine fails (a sector past `maxid`) or panics (one past what is read).
    fn get(&mut self, id: u32, r: &mut Reader<'_>) -> Option<&[u8]> {
        if self.maxid < id {
            return None;
        }
        let start = id as usize * self.size;
        let end = start + self.size;
        if end > self.data.len() {
            let mut len = self.data.len();
            self.data.resize(end, 0);
            while len < end {
                let read = r.read(&mut self.data[len..end]);
                if read == 0 {
                    return self.data.get(start..len);
                }
                len += read;
            }
        }
        Some(&self.data[start..end])
    }

    /// calamine's `get_chain`, refusing a chain that comes back to a sector before it has
    /// `len` bytes: calamine would follow it until memory runs out, or forever.
    fn chain(&mut self, start: u32, fats: &[u32], r: &mut Reader<'_>, len: usize) -> Step<Vec<u8>> {
        let mut seen = vec![false; fats.len()];
        let mut chain = Vec::new();
        let mut id = start;
        while id != ENDOFCHAIN {
            let Some(sector) = self.get(id, r) else {
                return Ok(None);
            };
            let to_copy = sector.len().min(len - chain.len());
            chain.extend_from_slice(&sector[..to_copy]);
            if chain.len() >= len {
                break;
            }
            let Some(next) = fats.get(id as usize) else {
                return Ok(None);
            };
            if std::mem::replace(&mut seen[id as usize], true) {
                return Err(LOOPS);
            }
            id = *next;
        }
        Ok(Some(chain))
    }
}

/// Refuses an .xls (an OLE file) that calamine must not read; `Ok` when it may (it then
/// opens it, or reports its own error).
pub(super) fn check(bytes: &[u8]) -> SheetResult<()> {
    let refuse =
        |code: &str, reason: String| Err(SpreadsheetError::Refused(FileRefusal::new(code, reason)));
    let stream = match workbook_stream(bytes) {
        Ok(Some(stream)) => stream,
        Ok(None) => return Ok(()),
        Err(why) => return refuse(
            "corrupt",
            format!("The .xls file is damaged ({why}) and could not be read. Open it in Excel and save it again (as .xlsx)."),
        ),
    };
    if sheet_cells(&stream) > MAX_XLS_CELLS {
        return refuse(
            "too_large",
            format!("The .xls file's sheets spread over more than {MAX_XLS_CELLS} cells, too many to be read. Delete the unused rows and columns, or save it as .xlsx."),
        );
    }
    Ok(())
}

/// The workbook stream, read from the container as calamine reads it.
fn workbook_stream(bytes: &[u8]) -> Step<Vec<u8>> {
    // The header.
    if bytes.len() < 512 {
        return Ok(None);
    }
    let size: usize = match u16::from_le_bytes([bytes[30], bytes[31]]) {
        0x09 => 512,
        0x0C if bytes.len() >= 4096 => 4096,
        _ => return Ok(None),
    };
    if u16::from_le_bytes([bytes[32], bytes[33]]) != 6 {
        return Ok(None);
    }
    let fat_len = u32_at(bytes, 44) as usize;
    let dir_start = u32_at(bytes, 48);
    let mini_fat_start = u32_at(bytes, 60);
    let mini_fat_len = u32_at(bytes, 64) as usize;
    let difat_start = u32_at(bytes, 68);
    let maxid = bytes.len() / size;
    if fat_len > maxid + 1 || mini_fat_len > maxid + 1 {
        return Err(TOO_MANY);
    }
    if (u32_at(bytes, 62) as usize).saturating_mul(4) > MAX_DIFAT_RESERVE {
        return Err("its header declares an impossible mini FAT");
    }
    let mut difat: Vec<u32> = u32s(&bytes[76..512]).collect();
    let r = &mut Reader { bytes, pos: size };
    let mut sectors = Sectors {
        data: Vec::new(),
        size,
        maxid: maxid as u32,
    };

    // The DIFAT: a chain whose sectors end with the next one's id (calamine pops it off
    // the list it grows). A valid chain has fewer sectors than the file.
    let mut id = difat_start;
    let mut steps = 0;
    while id < RESERVED {
        steps += 1;
        if steps > maxid + 1 {
            return Err(LOOPS);
        }
        let Some(sector) = sectors.get(id, r) else {
            return Ok(None);
        };
        difat.extend(u32s(sector));
        let Some(next) = difat.pop() else {
            return Ok(None);
        };
        id = next;
    }

    // The FAT.
    let fat_sectors: Vec<u32> = difat.into_iter().filter(|id| *id < DIFSECT).collect();
    if fat_sectors.len() > maxid + 1 {
        return Err(TOO_MANY);
    }
    let mut fats = Vec::new();
    for id in fat_sectors {
        let Some(sector) = sectors.get(id, r) else {
            return Ok(None);
        };
        fats.extend(u32s(sector));
    }

    // The directory, read to the end of its chain: (name, start, length) of each entry.
    let Some(dir) = sectors.chain(dir_start, &fats, r, usize::MAX)? else {
        return Ok(None);
    };
    if dir.is_empty() || dir.len() % 128 != 0 {
        // calamine refuses an empty directory, and panics on a cut entry.
        return Ok(None);
    }
    let entries: Vec<(String, u32, usize)> = dir
        .chunks_exact(128)
        .map(|e| {
            let name: Vec<u16> = e[..64]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .take_while(|c| *c != 0)
                .collect();
            let len = if size == 512 {
                u64::from(u32_at(e, 120))
            } else {
                u64::from(u32_at(e, 120)) | (u64::from(u32_at(e, 124)) << 32)
            };
            let len = usize::try_from(len).unwrap_or(usize::MAX);
            (String::from_utf16_lossy(&name), u32_at(e, 116), len)
        })
        .collect();

    // The mini stream (the root entry's chain) and the mini FAT.
    let (mini_fats, ministream) = if mini_fat_len > 0 {
        let Some(ministream) = sectors.chain(entries[0].1, &fats, r, entries[0].2)? else {
            return Ok(None);
        };
        let Some(minifat) = sectors.chain(mini_fat_start, &fats, r, mini_fat_len * size)? else {
            return Ok(None);
        };
        (u32s(&minifat).collect::<Vec<_>>(), ministream)
    } else {
        (Vec::new(), Vec::new())
    };
    let mut mini_sectors = Sectors {
        data: ministream,
        size: 64,
        maxid: (maxid * 8) as u32,
    };

    // The workbook stream: the first of the names found that reads, in the mini stream
    // when it is short.
    for name in WORKBOOK_STREAMS {
        let Some((_, start, len)) = entries.iter().find(|(n, ..)| n == name) else {
            continue;
        };
        let read = if *len < 4096 {
            mini_sectors.chain(*start, &mini_fats, r, *len)?
        } else {
            sectors.chain(*start, &fats, r, *len)?
        };
        if read.is_some() {
            return Ok(read);
        }
    }
    Ok(None)
}

/// calamine's `RecordIter`: (type, data) of each record, the Continue records after one
/// skipped with it. Ends where calamine fails (a cut record).
fn records(mut stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        if stream.len() < 4 {
            return None;
        }
        let len = usize::from(u16::from_le_bytes([stream[2], stream[3]]));
        if stream.len() < len + 4 {
            return None;
        }
        let (record, mut next) = stream.split_at(len + 4);
        while next.len() > 4 && next[..2] == [0x3C, 0x00] {
            let len = usize::from(u16::from_le_bytes([next[2], next[3]]));
            if next.len() < len + 4 {
                return None;
            }
            next = &next[len + 4..];
        }
        stream = next;
        Some((u16::from_le_bytes([record[0], record[1]]), &record[4..]))
    })
}

/// The bounds of the cells seen so far: (first row, last row, first column, last column).
#[derive(Default)]
struct Bounds(Option<(u32, u32, u32, u32)>);

impl Bounds {
    fn add(&mut self, row: u32, col: u32) {
        let b = self.0.get_or_insert((row, row, col, col));
        *b = (b.0.min(row), b.1.max(row), b.2.min(col), b.3.max(col));
    }
    /// The cells of the dense range calamine lays them out in.
    fn cells(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| {
            u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1)
        })
    }
}

/// The most cells calamine lays out, or reserves, for the sheets of a workbook stream: the
/// sum of each sheet's ranges of values and formulas, or a sheet's Dimensions record when
/// that is more. Records are read as calamine reads them; a record calamine would fail on
/// counts all the same (the file is refused either way).
fn sheet_cells(stream: &[u8]) -> u64 {
    let u16_at = |d: &[u8], at: usize| u32::from(u16::from_le_bytes([d[at], d[at + 1]]));
    // The globals: where each sheet's records start (BoundSheet8), up to their EOF.
    let mut starts = Vec::new();
    for (typ, data) in records(stream) {
        match typ {
            0x0085 if data.len() >= 4 => starts.push(u32_at(data, 0) as usize),
            0x000A => break,
            _ => {}
        }
    }
    let mut total = 0u64;
    for start in starts {
        let Some(sheet) = stream.get(start..) else {
            break;
        };
        let (mut values, mut formulas) = (Bounds::default(), Bounds::default());
        let mut reserved = 0u64;
        for (typ, data) in records(sheet) {
            match typ {
                // Dimensions: calamine reserves (last row − first row + 1) × (columns) cells,
                // in wrapping u32 arithmetic.
                0x0200 if data.len() == 10 || data.len() == 14 => {
                    let (rf, rl, mut cf, cl) = if data.len() == 10 {
                        (
                            u16_at(data, 0),
                            u16_at(data, 2),
                            u16_at(data, 4),
                            u16_at(data, 6),
                        )
                    } else {
                        (
                            u32_at(data, 0),
                            u32_at(data, 4),
                            u16_at(data, 8),
                            u16_at(data, 10),
                        )
                    };
                    if 0xFF < cf || cl < cf {
                        cf = 0;
                    }
                    let ((r0, c0), (r1, c1)) = if rl >= 1 && cl >= 1 {
                        ((rf, cf), (rl - 1, cl - 1))
                    } else {
                        ((rf, cf), (rf, cf))
                    };
                    let rows = u64::from(r1.wrapping_sub(r0).wrapping_add(1));
                    let cols = u64::from(c1.wrapping_sub(c0).wrapping_add(1));
                    reserved = reserved.max(rows.saturating_mul(cols));
                }
                // Number, Label, BoolErr, RK, LabelSst: a cell at (row, column).
                0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD if data.len() >= 4 => {
                    values.add(u16_at(data, 0), u16_at(data, 2));
                }
                // MulRk: a row of cells from its first column, one per 6 bytes.
                0x00BD if data.len() >= 6 => {
                    let n = (data.len() - 6).div_ceil(6) as u32;
                    let (row, first) = (u16_at(data, 0), u16_at(data, 2));
                    values.add(row, first);
                    values.add(row, first + n.saturating_sub(1));
                }
                // Formula: a formula, and its value, at (row, column).
                0x0006 if data.len() >= 4 => {
                    values.add(u16_at(data, 0), u16_at(data, 2));
                    formulas.add(u16_at(data, 0), u16_at(data, 2));
                }
                0x000A => break,
                _ => {}
            }
        }
        total = total
            .saturating_add(values.cells().max(reserved))
            .saturating_add(formulas.cells());
    }
    total
}
