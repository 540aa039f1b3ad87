//! The GPU launch path (the `cuda` feature): the same kernels, compiled by NVRTC for the
//! device's architecture and launched through cudarc, with the shapes the emulator uses, so a
//! GPU and the emulator are compared bit for bit (`tests/gpu.rs`, run by
//! `scripts/gpu-check.sh`). cudarc loads the CUDA driver at run time: building needs no
//! toolkit.

use crate::msm::{G1Affine, G1Jacobian, MsmPlan};
use crate::ntt::Limbs;
use crate::nvrtc::{Nvrtc, NvrtcError};
use crate::source::programs;
use crate::{KernelError, Launch};
use cudarc::driver::{
    CudaContext, CudaFunction, CudaModule, CudaSlice, CudaStream, DriverError, LaunchConfig, PushKernelArg,
};
use cudarc::nvrtc::Ptx;
use std::collections::HashMap;
use std::sync::Arc;

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

    /// [`crate::ntt::fr_ntt_emulated`] on the GPU, with the same launches.
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

    /// Copies MSM bases to the device once, for [`Gpu::msm_g1`].
    pub fn upload_bases(&self, bases: &[G1Affine]) -> Result<CudaSlice<u64>, GpuError> {
        Ok(self.stream.clone_htod(bases.as_flattened())?)
    }

    /// [`crate::msm::msm_g1_emulated`] on the GPU, with resident bases (8 limbs per point) and
    /// the scalars' upload included.
    #[allow(unsafe_code, reason = "launches kernels whose bounds were checked with the emulator's plan")]
    pub fn msm_g1(&self, bases: &CudaSlice<u64>, scalars: &[Limbs], window_bits: u32) -> Result<G1Jacobian, GpuError> {
        let plan = MsmPlan::new(bases.len() / 8, scalars.len(), window_bits)?;
        let stream = &self.stream;
        let total = plan.total_slots();
        let device_scalars = stream.clone_htod(scalars.as_flattened())?;
        let mut digits = stream.alloc_zeros::<i32>(plan.digits().max(1))?;
        let mut counts = stream.alloc_zeros::<u32>(total as usize)?;
        let mut offsets = stream.alloc_zeros::<u32>(total as usize)?;
        let mut cursors = stream.alloc_zeros::<u32>(total as usize)?;
        let mut entries = stream.alloc_zeros::<u32>(plan.digits().max(1))?;
        let mut buckets = stream.alloc_zeros::<u64>(12 * total as usize)?;
        let mut partial = stream.alloc_zeros::<u64>(12 * plan.partials())?;
        let mut window_sums = stream.alloc_zeros::<u64>(12 * plan.windows as usize)?;
        let mut out = stream.alloc_zeros::<u64>(12)?;
        let (n, c, windows, slots) = (plan.n, plan.window_bits, plan.windows, plan.slots);
        let one = Launch { grid: 1, block: 1 };
        // SAFETY: every buffer is sized from the plan as the kernels index it (as in the
        // emulator), and each argument list matches its kernel's signature.
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
            let f = self.function("msm.cu", "vsies_msm_buckets")?;
            let mut b = stream.launch_builder(&f);
            b.arg(bases).arg(&offsets).arg(&counts).arg(&entries).arg(&total).arg(&mut buckets);
            b.launch(config(plan.per_bucket))?;
            let segments = plan.segments;
            let f = self.function("msm.cu", "vsies_msm_segments")?;
            let mut b = stream.launch_builder(&f);
            b.arg(&buckets).arg(&windows).arg(&slots).arg(&segments).arg(&mut partial);
            b.launch(config(plan.per_segment))?;
            let f = self.function("msm.cu", "vsies_msm_windows")?;
            let mut b = stream.launch_builder(&f);
            b.arg(&partial).arg(&windows).arg(&segments).arg(&mut window_sums);
            b.launch(config(Launch::covering(u64::from(windows), 64, 64)))?;
            let f = self.function("msm.cu", "vsies_msm_combine")?;
            let mut b = stream.launch_builder(&f);
            b.arg(&window_sums).arg(&windows).arg(&c).arg(&mut out);
            b.launch(config(one))?;
        }
        let back = stream.clone_dtoh(&out)?;
        Ok(back.try_into().expect("12 limbs"))
    }
}
