resource "digitalocean_ssh_key" "admin" {
  name       = "${var.name}-admin"
  public_key = var.ssh_public_key
}

resource "digitalocean_volume" "data" {
  name                    = "${var.name}-data"
  region                  = var.region
  size                    = var.volume_size_gb
  initial_filesystem_type = "ext4"
  description             = "unetops datasets and models"
}

resource "digitalocean_droplet" "app" {
  name       = var.name
  image      = var.droplet_image
  region     = var.region
  size       = var.droplet_size
  ssh_keys   = [digitalocean_ssh_key.admin.fingerprint]
  monitoring = true
  ipv6       = true
  user_data = templatefile("${path.module}/../cloud-init.yaml.tftpl", {
    volume_device = "/dev/disk/by-id/scsi-0DO_Volume_${var.name}-data"
    repo_url      = var.repo_url
    repo_ref      = var.repo_ref
    serve_image   = var.serve_image
    dataset_url   = var.dataset_url
  })
}

resource "digitalocean_volume_attachment" "data" {
  droplet_id = digitalocean_droplet.app.id
  volume_id  = digitalocean_volume.data.id
}

resource "digitalocean_firewall" "app" {
  name        = "${var.name}-firewall"
  droplet_ids = [digitalocean_droplet.app.id]

  inbound_rule {
    protocol         = "tcp"
    port_range       = "22"
    source_addresses = [var.admin_cidr]
  }

  inbound_rule {
    protocol         = "tcp"
    port_range       = "80"
    source_addresses = ["0.0.0.0/0", "::/0"]
  }

  inbound_rule {
    protocol         = "tcp"
    port_range       = "443"
    source_addresses = ["0.0.0.0/0", "::/0"]
  }

  outbound_rule {
    protocol              = "tcp"
    port_range            = "1-65535"
    destination_addresses = ["0.0.0.0/0", "::/0"]
  }

  outbound_rule {
    protocol              = "udp"
    port_range            = "53"
    destination_addresses = ["0.0.0.0/0", "::/0"]
  }
}
