variable "do_token" {
  description = "DigitalOcean API token (read/write). Pass via TF_VAR_do_token; never commit it."
  type        = string
  sensitive   = true
}

variable "ssh_public_key" {
  description = "Public SSH key (its contents) of the administrator."
  type        = string
}

variable "admin_cidr" {
  description = "CIDR allowed to reach SSH (e.g. your office IP/32)."
  type        = string
  validation {
    # a CIDR of one network: the prefix at least /16 (IPv4) or /48 (IPv6); never 0.0.0.0/0, ::/0 or 1.2.3.4/1
    condition     = can(cidrhost(var.admin_cidr, 0)) && try(tonumber(split("/", var.admin_cidr)[1]), 0) >= (length(regexall(":", var.admin_cidr)) > 0 ? 48 : 16)
    error_message = "admin_cidr must be a CIDR of one network, at least /16 for IPv4 and /48 for IPv6 (e.g. 203.0.113.7/32)."
  }
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "unetops"
}

variable "region" {
  description = "DigitalOcean region slug."
  type        = string
  default     = "fra1"
}

variable "droplet_size" {
  description = "Droplet size slug; s-4vcpu-8gb for CPU serving, a GPU size such as gpu-h100x1-80gb for training."
  type        = string
  default     = "s-4vcpu-8gb"
}

variable "droplet_image" {
  description = "Droplet image slug (GPU sizes need a GPU-ready image, e.g. gpu-h100x1-base)."
  type        = string
  default     = "ubuntu-24-04-x64"
}

variable "volume_size_gb" {
  description = "Block-storage volume for datasets and models, GB."
  type        = number
  default     = 100
}

variable "repo_url" {
  description = "Git repository the stack (deploy/compose.yaml) is fetched from."
  type        = string
  default     = "https://github.com/unetops/unetops.git"
}

variable "repo_ref" {
  description = "Branch or tag of repo_url to deploy."
  type        = string
  default     = "main"
}

variable "serve_image" {
  description = "Serving image the stack runs."
  type        = string
  default     = "ghcr.io/unetops/unetops-serve:latest"
}

variable "dataset_url" {
  description = "Dataset archive downloaded onto the volume at first boot; empty for none. Default: Zenodo record 10.5281/zenodo.7890874 (breast-cancer cytological and histological images)."
  type        = string
  default     = "https://zenodo.org/api/records/7890874/files-archive"
}
