//! The GPU launch path (the `cuda` feature): the same kernels, compiled by NVRTC for the
//! device's architecture and launched through cudarc, with the shapes the emulator uses, so a
//! GPU and the emulator are compared bit for bit (`tests/gpu.rs`, run by
//! `scripts/gpu-check.sh`). cudarc loads the CUDA driver at run time: building needs no
//! toolkit.

use crate::msm::{G1Jacobian, G2Jacobian, Group, MsmPlan};
use crate::ntt::Limbs;
use crate::nvrtc::{Nvrtc, NvrtcError};
use crate::source::programs;
use crate::tfhe::{BootstrapShape, KeyswitchShape, NegacyclicPlan};
use crate::{KernelError, Launch};
use cudarc::driver::{
    CudaContext, CudaFunction, CudaModule, CudaSlice, CudaStream, DriverError, LaunchConfig, PushKernelArg,
};
use cudarc::nvrtc::Ptx;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Why the GPU path failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GpuError {
    /// The CUDA driver or device.
    #[error("CUDA: {0}")]
    Driver(#[from] DriverError),
    /// Compiling the kernels.
    #[error(transparent)]
    Nvrtc(#[from] NvrtcError),
    /// Inputs the kernels refuse.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// The shared GPU could not be opened (the first attempt's error, kept).
    #[error("no usable CUDA GPU: {0}")]
    Unavailable(String),
}

/// The process's GPU, opened once: ordinal 0 (select another with `CUDA_VISIBLE_DEVICES`),
/// the kernels compiled by the NVRTC of [`crate::nvrtc::default_dir`]. Every backend's `Cuda`
/// type runs on it.
pub fn shared() -> Result<&'static Gpu, GpuError> {
    static SHARED: OnceLock<Result<Gpu, String>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let nvrtc = Nvrtc::load(&crate::nvrtc::default_dir()).map_err(|error| error.to_string())?;
            Gpu::open(0, &nvrtc).map_err(|error| error.to_string())
        })
        .as_ref()
        .map_err(|error| GpuError::Unavailable(error.clone()))
}

/// Runs `on_gpu` on [`shared`]'s GPU, or `on_cpu` if it is unusable or fails, warning once per
/// process on stderr: for the seams whose CPU path gives the same result, so a GPU that runs
/// out of memory mid-proof costs time, never the work.
pub fn on_gpu_or_cpu<T>(on_gpu: impl FnOnce(&Gpu) -> Result<T, GpuError>, on_cpu: impl FnOnce() -> T) -> T {
    static WARNED: AtomicBool = AtomicBool::new(false);
    match shared().and_then(on_gpu) {
        Ok(value) => value,
        Err(error) => {
            if !WARNED.swap(true, Ordering::Relaxed) {
                eprintln!("warning: the GPU failed ({error}); running on the CPU instead (the same results)");
            }
            on_cpu()
        }
    }
}

/// One GPU with every kernel loaded.
pub struct Gpu {
    stream: Arc<CudaStream>,
    modules: HashMap<&'static str, Arc<CudaModule>>,
    /// The device's name and compute capability, for reports.
    pub description: String,
}

fn config(launch: Launch) -> LaunchConfig {
    LaunchConfig { grid_dim: (launch.grid, 1, 1), block_dim: (launch.block, 1, 1), shared_mem_bytes: 0 }
}

impl Gpu {
    /// Opens GPU `ordinal` and compiles every kernel program for its architecture.
    pub fn open(ordinal: usize, nvrtc: &Nvrtc) -> Result<Self, GpuError> {
        let context = CudaContext::new(ordinal)?;
        let (major, minor) = context.compute_capability()?;
        let arch = format!("compute_{major}{minor}");
        let mut modules = HashMap::new();
        for program in programs() {
            let ptx = nvrtc.compile(program, &arch)?;
            modules.insert(program.name, context.load_module(Ptx::from_src(ptx))?);
        }
        let description = format!("{} (compute capability {major}.{minor})", context.name()?);
        Ok(Self { stream: context.default_stream(), modules, description })
    }

    fn function(&self, program: &str, name: &str) -> Result<CudaFunction, GpuError> {
        Ok(self.modules[program].load_function(name)?)
    }

    /// The stream every launch and copy of this GPU is queued on.
    pub fn stream(&self) -> &Arc<CudaStream> {
        &self.stream
    }

    /// [`crate::aggregate::add_packed_emulated`] on the GPU, copies included.
    pub fn add_packed(&self, acc: &mut [u128], input: &[u8], width: usize, bits: u32) -> Result<(), GpuError> {
        if acc.is_empty() {
            // Nothing to add, and the driver allocates no empty buffer.
            return Ok(crate::aggregate::check_shape(0, input.len(), width, bits)?);
        }
        let mut device_acc = self.stream.clone_htod(&crate::aggregate::to_limbs(acc))?;
        let device_input = self.stream.clone_htod(input)?;
        self.add_packed_resident(&mut device_acc, &device_input, width, bits)?;
        let back = self.stream.clone_dtoh(&device_acc)?;
        crate::aggregate::from_limbs(acc, &back);
        Ok(())
    }

    /// `acc += input` on buffers already on the device: `acc` holds two limbs per field.
    #[allow(unsafe_code, reason = "launches a kernel whose bounds were checked with the emulator's shape check")]
    pub fn add_packed_resident(
        &self,
        acc: &mut CudaSlice<u64>,
        input: &CudaSlice<u8>,
        width: usize,
        bits: u32,
    ) -> Result<(), GpuError> {
        let count = acc.len() / 2;
        crate::aggregate::check_shape(count, input.len(), width, bits)?;
        let (count, width, function) = (count as u64, width as u32, self.function("aggregate.cu", "vsies_add_packed")?);
        let mut builder = self.stream.launch_builder(&function);
        builder.arg(acc).arg(input).arg(&count).arg(&width).arg(&bits);
        // SAFETY: the argument list matches the kernel's signature and the buffers' sizes were
        // checked above.
        unsafe { builder.launch(config(Launch::covering(count, 256, 65_535))) }?;
        Ok(())
    }

    /// [`crate::lwe::compact_rows_emulated`] on the GPU (a larger grid, the same result): the list's and
    /// weights' uploads and the rows' download included.
    #[allow(unsafe_code, reason = "launches a kernel whose bounds were checked with the emulator's shape check")]
    pub fn compact_rows(
        &self,
        mask: &[u64],
        bodies: &[u64],
        weights: &[u64],
        rows: usize,
    ) -> Result<Vec<Vec<u64>>, GpuError> {
        crate::lwe::check_compact_rows(mask.len(), bodies.len(), weights.len(), rows)?;
        let (n, columns) = (mask.len(), weights.len());
        let out_len = rows * (n + 1);
        if out_len == 0 {
            return Ok(Vec::new());
        }
        let stream = &self.stream;
        let (device_mask, device_bodies) = (stream.clone_htod(mask)?, stream.clone_htod(bodies)?);
        let device_weights = stream.clone_htod(weights)?;
        let mut out = stream.alloc_zeros::<u64>(out_len)?;
        let (n, rows, columns) = (n as u64, rows as u64, columns as u64);
        let function = self.function("lwe.cu", "vsies_lwe_compact_rows")?;
        let mut builder = stream.launch_builder(&function);
        builder
            .arg(&device_mask)
            .arg(&device_bodies)
            .arg(&device_weights)
            .arg(&n)
            .arg(&rows)
            .arg(&columns)
            .arg(&mut out);
        // SAFETY: the argument list matches the kernel's signature and the sizes were checked.
        unsafe { builder.launch(config(Launch::covering(out_len as u64, 256, 65_535))) }?;
        let back = stream.clone_dtoh(&out)?;
        Ok(back.chunks_exact(n as usize + 1).map(<[u64]>::to_vec).collect())
    }

    /// [`crate::ntt::fr_ntt_emulated`] on the GPU, with the same plan (`ntt::Plan`).
    #[allow(unsafe_code, reason = "launches kernels whose bounds were checked with the emulator's shape check")]
    pub fn fr_ntt(&self, values: &mut [Limbs], twiddles: &[Limbs]) -> Result<(), GpuError> {
        let plan = crate::ntt::Plan::new(values.len(), twiddles.len())?;
        let mut device_values = self.stream.clone_htod(values.as_flattened())?;
        let device_twiddles = self.stream.clone_htod(twiddles.as_flattened())?;
        let n = values.len() as u64;
        let log_n = plan.log_n;
        let reverse = self.function("ntt.cu", "vsies_fr_bit_reverse")?;
        let mut builder = self.stream.launch_builder(&reverse);
        builder.arg(&mut device_values).arg(&n).arg(&log_n);
        // SAFETY: signatures and sizes as checked by the plan.
        unsafe { builder.launch(config(plan.all)) }?;
        let tile = self.function("ntt.cu", "vsies_fr_ntt_tile")?;
        let mut builder = self.stream.launch_builder(&tile);
        builder.arg(&mut device_values).arg(&device_twiddles).arg(&n);
        // SAFETY: as above.
        unsafe { builder.launch(config(plan.tiles)) }?;
        let stage = self.function("ntt.cu", "vsies_fr_ntt_stage")?;
        for half in plan.global_stages() {
            let mut builder = self.stream.launch_builder(&stage);
            builder.arg(&mut device_values).arg(&device_twiddles).arg(&n).arg(&half);
            // SAFETY: as above.
            unsafe { builder.launch(config(plan.butterflies)) }?;
        }
        let back = self.stream.clone_dtoh(&device_values)?;
        values.as_flattened_mut().copy_from_slice(&back);
        Ok(())
    }

    /// Copies MSM bases (flat affine limbs of [`Group`], as [`crate::msm::msm_emulated`]
    /// takes them) to the device once, for [`Gpu::msm`].
    /// At least one point: the driver allocates no empty buffer (an empty MSM is the identity,
    /// with nothing to upload).
    pub fn upload_bases(&self, bases: &[u64]) -> Result<CudaSlice<u64>, GpuError> {
        if bases.is_empty() {
            return Err(KernelError::Shape("no MSM bases to upload".into()).into());
        }
        Ok(self.stream.clone_htod(bases)?)
    }

    /// [`crate::msm::msm_g1_emulated`] on the GPU: [`Gpu::msm`] in G1.
    pub fn msm_g1(&self, bases: &CudaSlice<u64>, scalars: &[Limbs], window_bits: u32) -> Result<G1Jacobian, GpuError> {
        Ok(self.msm(Group::G1, bases, scalars, window_bits)?.try_into().expect("a G1 point"))
    }

    /// [`crate::msm::msm_g2_emulated`] on the GPU: [`Gpu::msm`] in G2.
    pub fn msm_g2(&self, bases: &CudaSlice<u64>, scalars: &[Limbs], window_bits: u32) -> Result<G2Jacobian, GpuError> {
        Ok(self.msm(Group::G2, bases, scalars, window_bits)?.try_into().expect("a G2 point"))
    }

    /// [`crate::msm::msm_emulated`] on the GPU, with resident bases and the scalars' upload
    /// included: the Jacobian limbs of the sum in `group`.
    #[allow(unsafe_code, reason = "launches kernels whose bounds were checked with the emulator's plan")]
    pub fn msm(
        &self,
        group: Group,
        bases: &CudaSlice<u64>,
        scalars: &[Limbs],
        window_bits: u32,
    ) -> Result<Vec<u64>, GpuError> {
        let plan = MsmPlan::new(group.points(bases.len())?, scalars.len(), window_bits)?;
        let point = group.jacobian_limbs();
        let stream = &self.stream;
        let total = plan.total_slots();
        let device_scalars = stream.clone_htod(scalars.as_flattened())?;
        let mut digits = stream.alloc_zeros::<i32>(plan.digits().max(1))?;
        let mut counts = stream.alloc_zeros::<u32>(total as usize)?;
        let mut offsets = stream.alloc_zeros::<u32>(total as usize)?;
        let mut cursors = stream.alloc_zeros::<u32>(total as usize)?;
        let mut entries = stream.alloc_zeros::<u32>(plan.digits().max(1))?;
        let mut buckets = stream.alloc_zeros::<u64>(point * total as usize)?;
        let mut partial = stream.alloc_zeros::<u64>(point * plan.partials())?;
        let mut window_sums = stream.alloc_zeros::<u64>(point * plan.windows as usize)?;
        let mut out = stream.alloc_zeros::<u64>(point)?;
        let (n, c, windows, slots) = (plan.n, plan.window_bits, plan.windows, plan.slots);
        let one = Launch { grid: 1, block: 1 };
        let point_stage = |stage: &str| self.function("msm.cu", &group.kernel(stage));
        // SAFETY: every buffer is sized from the plan as the kernels index it (as in the
        // emulator), in the group's limb sizes, and each argument list matches its kernel's
        // signature.
        unsafe {
            let f = self.function("msm.cu", "vsies_msm_digits")?;
            let mut b = stream.launch_builder(&f);
            b.arg(&device_scalars).arg(&n).arg(&c).arg(&windows).arg(&mut digits);
            b.launch(config(plan.per_scalar))?;
            let f = self.function("msm.cu", "vsies_msm_count")?;
            let mut b = stream.launch_builder(&f);
            b.arg(&digits).arg(&n).arg(&windows).arg(&slots).arg(&mut counts);
            b.launch(config(plan.per_digit))?;
            let f = self.function("msm.cu", "vsies_msm_offsets")?;
            let mut b = stream.launch_builder(&f);
            b.arg(&counts).arg(&total).arg(&mut offsets).arg(&mut cursors);
            b.launch(config(one))?;
            let f = self.function("msm.cu", "vsies_msm_scatter")?;
            let mut b = stream.launch_builder(&f);
            b.arg(&digits).arg(&n).arg(&windows).arg(&slots).arg(&mut cursors).arg(&mut entries);
            b.launch(config(plan.per_digit))?;
            let f = point_stage("buckets")?;
            let mut b = stream.launch_builder(&f);
            b.arg(bases).arg(&offsets).arg(&counts).arg(&entries).arg(&total).arg(&mut buckets);
            b.launch(config(plan.per_bucket))?;
            let segments = plan.segments;
            let f = point_stage("segments")?;
            let mut b = stream.launch_builder(&f);
            b.arg(&buckets).arg(&windows).arg(&slots).arg(&segments).arg(&mut partial);
            b.launch(config(plan.per_segment))?;
            let f = point_stage("windows")?;
            let mut b = stream.launch_builder(&f);
            b.arg(&partial).arg(&windows).arg(&segments).arg(&mut window_sums);
            b.launch(config(Launch::covering(u64::from(windows), 64, 64)))?;
            let f = point_stage("combine")?;
            let mut b = stream.launch_builder(&f);
            b.arg(&window_sums).arg(&windows).arg(&c).arg(&mut out);
            b.launch(config(one))?;
        }
        Ok(stream.clone_dtoh(&out)?)
    }

    /// Uploads tfhe-rs's standard-domain bootstrap key and transforms it on the device into
    /// the kernels' NTT domain, where it stays for [`Gpu::bootstrap`].
    #[allow(unsafe_code, reason = "launches a kernel whose bounds were checked with the emulator's shape check")]
    pub fn prepare_bootstrap_key(&self, standard: &[u64], shape: BootstrapShape) -> Result<GpuBootstrapKey, GpuError> {
        let plan = crate::tfhe::check_bootstrap_key(standard, &shape)?;
        let stream = &self.stream;
        let mut ntt = stream.clone_htod(standard)?;
        let psi_rev = stream.clone_htod(&plan.psi_rev)?;
        let psi_inv_rev = stream.clone_htod(&plan.psi_inv_rev)?;
        let count = (standard.len() / shape.polynomial_size) as u64;
        let function = self.function("bootstrap.cu", "vsies_tfhe_ntt_forward")?;
        let mut builder = stream.launch_builder(&function);
        builder.arg(&mut ntt).arg(&psi_rev).arg(&plan.log_n).arg(&count);
        let launch = Launch { grid: count.clamp(1, 65_535) as u32, block: GPU_NTT_BLOCK };
        // SAFETY: the key holds `count` polynomials of N values and each table N values.
        unsafe { builder.launch(config(launch)) }?;
        Ok(GpuBootstrapKey { shape, plan, ntt, psi_rev, psi_inv_rev })
    }

    /// [`crate::tfhe::bootstrap_emulated`] on the GPU: [`Gpu::blind_rotate`], then the sample
    /// extraction on the host.
    pub fn bootstrap(&self, key: &GpuBootstrapKey, lut: &[u64], inputs: &[u64]) -> Result<Vec<u64>, GpuError> {
        Ok(crate::tfhe::sample_extract(&key.shape, &self.blind_rotate(key, lut, inputs)?))
    }

    /// [`crate::tfhe::blind_rotate_emulated`] on the GPU, one block per ciphertext, the
    /// inputs' upload and the accumulators' download included.
    #[allow(unsafe_code, reason = "launches a kernel whose bounds were checked with the emulator's shape check")]
    pub fn blind_rotate(&self, key: &GpuBootstrapKey, lut: &[u64], inputs: &[u64]) -> Result<Vec<u64>, GpuError> {
        let shape = key.shape;
        let count = crate::tfhe::check_bootstrap(&shape, lut, inputs)?;
        if count == 0 {
            return Ok(Vec::new());
        }
        let stream = &self.stream;
        let launch = Launch { grid: count.min(65_535) as u32, block: GPU_NTT_BLOCK };
        let device_lut = stream.clone_htod(lut)?;
        let device_inputs = stream.clone_htod(inputs)?;
        let mut scratch =
            stream.alloc_zeros::<u64>(launch.grid as usize * crate::tfhe::bootstrap_scratch_per_block(&shape))?;
        let mut out = stream.alloc_zeros::<u64>(count * shape.glwe_len())?;
        let (count, dimension) = (count as u64, shape.lwe_dimension as u64);
        let (glwe_size, base_log, levels) = (shape.glwe_size as u32, shape.base_log as u32, shape.levels as u32);
        let function = self.function("bootstrap.cu", "vsies_tfhe_blind_rotate")?;
        let mut builder = stream.launch_builder(&function);
        builder
            .arg(&key.ntt)
            .arg(&device_lut)
            .arg(&device_inputs)
            .arg(&count)
            .arg(&dimension)
            .arg(&key.plan.log_n)
            .arg(&glwe_size)
            .arg(&base_log)
            .arg(&levels)
            .arg(&key.psi_rev)
            .arg(&key.psi_inv_rev)
            .arg(&key.plan.n_inv)
            .arg(&mut scratch)
            .arg(&mut out);
        // SAFETY: the argument list matches the kernel's signature; the key was checked when
        // prepared, the table and inputs above, and scratch and out are sized as the emulator
        // sizes them.
        unsafe { builder.launch(config(launch)) }?;
        Ok(stream.clone_dtoh(&out)?)
    }

    /// [`crate::tfhe::keyswitch_emulated`] on the GPU (a larger grid, the same result); the key's and
    /// inputs' uploads included.
    #[allow(unsafe_code, reason = "launches a kernel whose bounds were checked with the emulator's shape check")]
    pub fn keyswitch(&self, shape: KeyswitchShape, key: &[u64], inputs: &[u64]) -> Result<Vec<u64>, GpuError> {
        let count = shape.check(key, inputs)?;
        if count == 0 {
            // No ciphertexts, and the driver allocates no empty buffer.
            return Ok(Vec::new());
        }
        let stream = &self.stream;
        let out_len = count * (shape.output_dimension + 1);
        let device_key = stream.clone_htod(key)?;
        let device_inputs = stream.clone_htod(inputs)?;
        let mut out = stream.alloc_zeros::<u64>(out_len.max(1))?;
        let (count, input_dimension, output_dimension) =
            (count as u64, shape.input_dimension as u64, shape.output_dimension as u64);
        let (base_log, levels) = (shape.base_log as u32, shape.levels as u32);
        let function = self.function("keyswitch.cu", "vsies_tfhe_keyswitch")?;
        let mut builder = stream.launch_builder(&function);
        builder
            .arg(&device_key)
            .arg(&device_inputs)
            .arg(&count)
            .arg(&input_dimension)
            .arg(&output_dimension)
            .arg(&base_log)
            .arg(&levels)
            .arg(&mut out);
        // SAFETY: the argument list matches the kernel's signature and the sizes were checked.
        unsafe { builder.launch(config(Launch::covering(out_len as u64, 256, 65_535))) }?;
        let mut back = stream.clone_dtoh(&out)?;
        back.truncate(out_len);
        Ok(back)
    }
}

/// Threads per block of the GPU's bootstrap and NTT (N/2 butterflies per stage are spread
/// over them).
const GPU_NTT_BLOCK: u32 = 256;

/// A bootstrap key resident on the device in the kernels' NTT domain, with its twiddles.
pub struct GpuBootstrapKey {
    /// The key's shape.
    pub shape: BootstrapShape,
    plan: NegacyclicPlan,
    ntt: CudaSlice<u64>,
    psi_rev: CudaSlice<u64>,
    psi_inv_rev: CudaSlice<u64>,
}
