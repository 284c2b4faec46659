"""The fast layer (numpy/scipy): the loss landscape of the paper and the descent algorithms.

Potentials come from the exact layer as vectorised numpy callables (:mod:`.potentials`); the
loss (1), its regularized form G, the node loss and the fixed-charge loss (3) have analytic,
vectorised gradients and Hessians (:mod:`.loss`); GD, Hessian descent, SecondGD and node-wise
descent (:mod:`.descent`), the electron-proton dynamics (:mod:`.dynamics`) and the empirical
checks of Theorems 4.1/4.6 (:mod:`.recovery`) run on them. Many instances of one shape are
evaluated together (:class:`.loss.LossStack`), so that SecondGD runs in lockstep
(:func:`.descent.second_gd_many`, :func:`.recovery.recover_many`) and Nelder-Mead searches
side by side (:mod:`.neldermead`), each run bit for bit what it is alone.
"""
from .descent import (STOP_REASONS, DescentResult, HDStep, NodewiseResult, Objective, as_objective,
                      gd, hd, hd_step, loss_objective, node_objective, nodewise_descent,
                      nodewise_descent_many,
                      project_sphere, second_gd, second_gd_many, second_gd_threshold)
from .dynamics import (ElectronProtonDynamics, FlowResult, Trajectory, gradient_flow,
                       loss_gradient_flow, radial_gradient)
from .loss import FixedChargeLoss, Loss, LossDerivatives, LossStack, NodeLoss, regularized
from .potentials import (FastPotential, RadialFast, SphereFast, exponential, gaussian,
                         lam_harmonic, phi_eps, polynomial, radial, sign_dual, sphere)
from .potentials import harmonic as harmonic_potential
from .recovery import (RecoveryConfig, RecoveryRun, RecoverySummary, Teacher, random_teacher,
                       recover, recovery_sweep, wilson_interval)

__all__ = [
    # potentials
    "FastPotential", "RadialFast", "SphereFast", "radial", "sphere", "gaussian", "exponential",
    "harmonic_potential", "lam_harmonic", "phi_eps", "polynomial", "sign_dual",
    # losses
    "Loss", "LossDerivatives", "NodeLoss", "FixedChargeLoss", "regularized", "LossStack",
    # algorithms and dynamics
    "Objective", "as_objective", "loss_objective", "node_objective", "DescentResult",
    "NodewiseResult", "HDStep", "STOP_REASONS", "gd", "hd", "hd_step", "second_gd", "second_gd_many",
    "second_gd_threshold", "nodewise_descent", "nodewise_descent_many", "project_sphere",
    "ElectronProtonDynamics", "Trajectory", "FlowResult", "gradient_flow", "loss_gradient_flow",
    "radial_gradient",
    # Theorems 4.1 / 4.6 on instances
    "Teacher", "random_teacher", "recover", "RecoveryRun", "RecoveryConfig", "RecoverySummary",
    "recovery_sweep", "wilson_interval",
]
