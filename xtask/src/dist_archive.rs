//! The archive of one release target: `intcov-<version>-<target>/` holding the binary, the
//! README and the licences, as `.tar.gz` (`.zip` for Windows), with a `.sha256` beside it in
//! the format `sha256sum -c` checks. Written through `outfile`, so a failed run never leaves a
//! half-written archive under the final name.

use std::io::{Read, Write};

use anyhow::{Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use sha2::{Digest, Sha256};

/// One file of the archive: its name inside the top directory and where it comes from.
pub struct Entry {
    pub name: String,
    pub source: Utf8PathBuf,
    pub executable: bool,
}

/// Writes `dir/<stem>.tar.gz` (or `.zip`) with every entry under `<stem>/`, and its `.sha256`.
/// Returns the archive's path.
pub fn write(dir: &Utf8Path, stem: &str, zip: bool, entries: &[Entry]) -> Result<Utf8PathBuf> {
    let ext = if zip { "zip" } else { "tar.gz" };
    let path = dir.join(format!("{stem}.{ext}"));
    let mut out = outfile::AtomicFile::create(&path)?;
    if zip {
        // The zip writer seeks back to patch headers: build it in memory (a few MB).
        out.write_all(&zip_bytes(stem, entries)?)?;
    } else {
        write_tar_gz(&mut out, stem, entries)?;
    }
    out.commit()?;
    make_readable(&path)?;

    let bytes = std::fs::read(&path).with_context(|| format!("reading back {path}"))?;
    let line = format!(
        "{}  {}\n",
        hex(&Sha256::digest(&bytes)),
        path.file_name().expect("archive has a name")
    );
    let sum = Utf8PathBuf::from(format!("{path}.sha256"));
    outfile::write(&sum, line.as_bytes())?;
    make_readable(&sum)?;
    Ok(path)
}

/// outfile's temporary files are created private (0600); a release file is for everyone.
pub fn make_readable(path: &Utf8Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("chmod 644 {path}"))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Modification time stamped on every entry: `SOURCE_DATE_EPOCH` when set (reproducible
/// builds), else now.
fn mtime() -> u64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        })
}

fn read(entry: &Entry) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(&entry.source)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .with_context(|| format!("reading {}", entry.source))?;
    Ok(bytes)
}

fn mode(entry: &Entry) -> u32 {
    if entry.executable {
        0o755
    } else {
        0o644
    }
}

fn write_tar_gz(out: &mut impl Write, stem: &str, entries: &[Entry]) -> Result<()> {
    let gz = flate2::write::GzEncoder::new(out, flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    let mtime = mtime();
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o755);
    dir.set_mtime(mtime);
    dir.set_size(0);
    tar.append_data(&mut dir, format!("{stem}/"), std::io::empty())?;
    for entry in entries {
        let bytes = read(entry)?;
        let mut header = tar::Header::new_gnu();
        header.set_mode(mode(entry));
        header.set_mtime(mtime);
        header.set_size(bytes.len() as u64);
        tar.append_data(&mut header, format!("{stem}/{}", entry.name), &bytes[..])?;
    }
    tar.into_inner()?.finish()?;
    Ok(())
}

fn zip_bytes(stem: &str, entries: &[Entry]) -> Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for entry in entries {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(mode(entry));
        zip.start_file(format!("{stem}/{}", entry.name), options)?;
        zip.write_all(&read(entry)?)?;
    }
    Ok(zip.finish()?.into_inner())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
