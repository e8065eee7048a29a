"""DriveGPT pipeline stage: data."""

# Shards' frames are LZ4-compressed (HDF5 filter 32004). Registering the filter when the package is
# imported means any h5py reader in a process that imports `data` can read them.
import hdf5plugin  # noqa: F401
