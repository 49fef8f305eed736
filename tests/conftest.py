import os

# Two pytest workers share two cores: one LightGBM/OpenMP thread each, or they spin-wait on each other.
os.environ.setdefault("LKS_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
